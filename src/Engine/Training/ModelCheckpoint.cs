using System.Globalization;

namespace CudaNet;

/// <summary>A training run that can write checkpoints from inside <c>Fit</c> (a <see cref="TrainingSession{T}"/>).</summary>
internal interface ICheckpointTarget
{
    /// <summary>Writes the model (and the training state when asked) into <paramref name="folder"/>.</summary>
    void SaveCheckpoint(string folder, bool includeTrainingState);
}

/// <summary>
/// Saves checkpoints during <c>Fit</c>, like Keras' <c>ModelCheckpoint</c>: after every epoch, or with
/// <c>saveBestOnly</c> only when the monitored metric improves on the best so far (an epoch without the metric
/// saves nothing, as in Keras). The folder may contain <c>{epoch}</c>, replaced by the 1-based epoch number
/// (four digits), to keep one checkpoint per epoch; otherwise each save replaces the previous one. Every file is
/// written atomically (see <see cref="TrainingSession{T}.SaveCheckpoint"/>).
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    private double _best;

    /// <summary>Creates the callback.</summary>
    /// <param name="folder">Where to save; <c>{epoch}</c> is replaced by the epoch number.</param>
    /// <param name="monitor">The metric for <paramref name="saveBestOnly"/> (Keras default val_loss).</param>
    /// <param name="mode">Whether lower or higher is better (Auto: higher for accuracies).</param>
    /// <param name="saveBestOnly">Save only epochs that improve the monitored metric.</param>
    /// <param name="includeTrainingState">Also save the training state (false: the model file only, like Keras'
    /// <c>save_weights_only</c> keeps the optimizer out).</param>
    public ModelCheckpoint(string folder, string monitor = "val_loss", MonitorMode mode = MonitorMode.Auto, bool saveBestOnly = false,
        bool includeTrainingState = true)
    {
        if (string.IsNullOrEmpty(folder)) throw new ArgumentException("ModelCheckpoint: folder must be a non-empty path.", nameof(folder));
        _ = new EpochMetrics(0, 0, null, null, null, 0, 0, 0)[monitor ?? throw new ArgumentNullException(nameof(monitor))];
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "ModelCheckpoint: unknown mode.");
        Folder = folder;
        Monitor = monitor;
        Mode = mode == MonitorMode.Auto ? (monitor.Contains("acc", StringComparison.Ordinal) ? MonitorMode.Max : MonitorMode.Min) : mode;
        SaveBestOnly = saveBestOnly;
        IncludeTrainingState = includeTrainingState;
        _best = Worst;
    }

    /// <summary>The folder (template).</summary>
    public string Folder { get; }
    /// <summary>The metric watched by <see cref="SaveBestOnly"/>.</summary>
    public string Monitor { get; }
    /// <summary>Min or Max (Auto resolved).</summary>
    public MonitorMode Mode { get; }
    /// <summary>Whether only improving epochs are saved.</summary>
    public bool SaveBestOnly { get; }
    /// <summary>Whether the training state is saved with the model.</summary>
    public bool IncludeTrainingState { get; }
    /// <summary>The best monitored value seen (±∞ before any).</summary>
    public double Best => _best;
    /// <summary>The epoch (1-based) of the last save, or 0.</summary>
    public int LastSavedEpoch { get; private set; }
    /// <summary>The folder of the last save, or null.</summary>
    public string? LastSavedFolder { get; private set; }

    private double Worst => Mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>The folder for <paramref name="epoch"/>.</summary>
    public string FolderFor(int epoch) => Folder.Replace("{epoch}", epoch.ToString("D4", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(metrics);
        if (run is not ICheckpointTarget target)
            throw new ArgumentException($"ModelCheckpoint: {run.GetType().Name} cannot write checkpoints.", nameof(run));
        if (SaveBestOnly)
        {
            // NaN never improves: a diverged epoch must not replace a good checkpoint.
            if (metrics[Monitor] is not { } value || !(Mode == MonitorMode.Min ? value < _best : value > _best)) return;
            _best = value;
        }
        string folder = FolderFor(metrics.Epoch);
        target.SaveCheckpoint(folder, IncludeTrainingState);
        (LastSavedEpoch, LastSavedFolder) = (metrics.Epoch, folder);
    }
}
