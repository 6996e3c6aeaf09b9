namespace CudaNet;

/// <summary>Whether a monitored metric should go down or up.</summary>
public enum MonitorMode
{
    /// <summary>Down for losses, up for accuracies (Keras <c>auto</c>).</summary>
    Auto,
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>
/// Stops training when a metric stops improving, with Keras' semantics: an epoch improves when it beats the best
/// by more than <c>minDelta</c>; after <c>patience</c> epochs without improvement training stops; a
/// <c>baseline</c> must also be beaten for an improvement to restart the wait; epochs before
/// <c>startFromEpoch</c> are ignored; <c>restoreBestWeights</c> puts back the weights of the best epoch when
/// training ends (Keras 3: whether or not it stopped early).
/// </summary>
public sealed class EarlyStopping : Callback
{
    private double _best;
    private int _wait;
    private object? _bestWeights;

    /// <summary>Creates the callback with Keras' defaults (val_loss, patience 0, min_delta 0).</summary>
    public EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto,
        double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        _ = new EpochMetrics(0, 0, null, null, null, 0, 0, 0)[monitor ?? throw new ArgumentNullException(nameof(monitor))];
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping: patience must be >= 0.");
        if (!double.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "EarlyStopping: minDelta must be finite.");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "EarlyStopping: unknown mode.");
        if (startFromEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, "EarlyStopping: startFromEpoch must be >= 0.");
        Monitor = monitor;
        Patience = patience;
        // Keras takes |min_delta| and applies it in the direction of improvement.
        MinDelta = Math.Abs(minDelta);
        Mode = mode == MonitorMode.Auto ? (monitor.Contains("acc", StringComparison.Ordinal) ? MonitorMode.Max : MonitorMode.Min) : mode;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
    }

    /// <summary>The metric watched.</summary>
    public string Monitor { get; }
    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }
    /// <summary>Smallest change that counts as improvement.</summary>
    public double MinDelta { get; }
    /// <summary>Min or Max (Auto resolved).</summary>
    public MonitorMode Mode { get; }
    /// <summary>Value to beat, or null.</summary>
    public double? Baseline { get; }
    /// <summary>Whether to restore the best weights on stopping.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>Epochs to wait before monitoring.</summary>
    public int StartFromEpoch { get; }
    /// <summary>The epoch (1-based) at which training was stopped, or 0.</summary>
    public int StoppedEpoch { get; private set; }
    /// <summary>The epoch (1-based) with the best monitored value, or 0.</summary>
    public int BestEpoch { get; private set; }

    // Keras: min_delta counts in the direction of improvement.
    private bool Improves(double value, double reference) =>
        Mode == MonitorMode.Min ? value + MinDelta < reference : value - MinDelta > reference;

    /// <inheritdoc/>
    public override void OnTrainBegin(ITrainingRun run)
    {
        _wait = 0;
        StoppedEpoch = 0;
        BestEpoch = 0;
        _bestWeights = null;
        _best = Mode == MonitorMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(metrics);
        double? current = metrics[Monitor];
        int epoch = metrics.Epoch - 1; // Keras counts epochs from 0
        if (current is null || epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestWeights is null) _bestWeights = run.SnapshotWeights();
        _wait++;
        if (Improves(current.Value, _best))
        {
            _best = current.Value;
            BestEpoch = metrics.Epoch;
            if (RestoreBestWeights) _bestWeights = run.SnapshotWeights();
            // Only a value that also beats the baseline restarts the wait.
            if (Baseline is null || Improves(current.Value, Baseline.Value)) _wait = 0;
            return;
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = metrics.Epoch;
            run.StopTraining();
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(ITrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (RestoreBestWeights && _bestWeights is not null) run.RestoreWeights(_bestWeights);
    }
}
