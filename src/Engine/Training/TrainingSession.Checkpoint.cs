using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CudaNet.IO;

namespace CudaNet;

/// <summary>
/// Checkpoints of a session: a folder with the model file (<see cref="CheckpointFiles.Model"/>, see
/// <see cref="Network{T}.Save(string)"/>) and the training state (<see cref="CheckpointFiles.TrainingState"/>):
/// optimizer tensors and scalars, every layer counter (dropout call counts included), step, epoch and skipped-step
/// counts, and the epoch history. The learning-rate schedule is a function of the epoch count and shuffling a
/// function of (seed, epoch), so restoring these makes a resumed run equal an uninterrupted one bit for bit.
/// </summary>
/// <remarks>
/// The pair is written in two phases (<see cref="CheckpointFiles.SavePair"/>), so a crash at any point leaves the
/// previous pair or the new one. Both files carry the same random checkpoint id, so files from different saves
/// (copied together by hand, say) are refused on loading instead of resuming from mixed state.
/// </remarks>
public sealed partial class TrainingSession<T> : ICheckpointTarget
{
    private const string FormatVersion = "1";
    private const string OptimizerPrefix = "optimizer.", ScalarPrefix = "optimizer_scalar.", CounterPrefix = "counter.";
    private const string StepName = "session.step", EpochName = "session.epoch", SkippedName = "session.skipped_steps";

    private static readonly JsonSerializerOptions MetadataJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the model and the training state into <paramref name="folder"/> (created if needed).</summary>
    public void SaveCheckpoint(string folder)
    {
        using var guard = Enter();
        SaveCore(folder, includeTrainingState: true);
    }

    void ICheckpointTarget.SaveCheckpoint(string folder, bool includeTrainingState) => SaveCore(folder, includeTrainingState);

    private void SaveCore(string folder, bool includeTrainingState)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        // From a batch callback: the counts and NAdam's product are on the backend until the epoch ends.
        SyncCounters();
        Directory.CreateDirectory(folder);
        if (!includeTrainingState)
        {
            Network.Save(Path.Combine(folder, CheckpointFiles.Model));
            return;
        }
        string id = Guid.NewGuid().ToString("N");
        CheckpointFiles.SavePair(folder, model => Network.Save(model, id),
            state => SafeTensors.Save(state, StateTensors(), StateMetadata(id)));
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this session, whose network must have the
    /// same architecture and seed and whose optimizer the same type and hyperparameters. Everything is validated
    /// before anything changes.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint does not belong to this session; the message says why.</exception>
    public void LoadCheckpoint(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        using var guard = Enter();
        string modelPath = Path.Combine(folder, CheckpointFiles.Model), statePath = Path.Combine(folder, CheckpointFiles.TrainingState);
        CheckpointFiles.CompletePendingSave(folder);
        var model = SafeTensors.Load(modelPath);
        var state = SafeTensors.Load(statePath);
        var loadWeights = Network.PrepareLoad(model, modelPath);
        var loadState = PrepareState(state, statePath, model.Metadata.GetValueOrDefault(Network<T>.CheckpointMetadataKey), modelPath);
        loadWeights();
        loadState();
    }

    private List<KeyValuePair<string, SafeTensorEntry>> StateTensors()
    {
        var entries = new List<KeyValuePair<string, SafeTensorEntry>>();
        foreach (var (name, tensor) in OptimizerState.Tensors)
            entries.Add(new(OptimizerPrefix + name, new SafeTensorEntry(Network<T>.ElementType, [tensor.Length],
                MemoryMarshal.AsBytes(Backend.ToArray(tensor).AsSpan()).ToArray())));
        foreach (var (name, value) in OptimizerState.Scalars.OrderBy(s => s.Key, StringComparer.Ordinal))
            entries.Add(new(ScalarPrefix + name, SafeTensorEntry.FromDoubles([value])));
        foreach (var (layer, counter) in AllCounters())
            entries.Add(new($"{CounterPrefix}{layer}.{counter.Name}", SafeTensorEntry.FromInt64s([counter.Value])));
        entries.Add(new(StepName, SafeTensorEntry.FromInt64s([Step])));
        entries.Add(new(EpochName, SafeTensorEntry.FromInt64s([Epoch])));
        entries.Add(new(SkippedName, SafeTensorEntry.FromInt64s([SkippedSteps])));
        return entries;
    }

    private Dictionary<string, string> StateMetadata(string id) => new()
    {
        ["format"] = CheckpointFiles.TrainingStateFormat,
        ["version"] = FormatVersion,
        [Network<T>.CheckpointMetadataKey] = id,
        ["model"] = ModelSpec.ToJson(Network.Model),
        ["seed"] = Network.Seed.ToString(CultureInfo.InvariantCulture),
        ["dtype"] = Network<T>.ElementType.ToString(),
        ["parameter_count"] = Network.Parameters.Length.ToString(CultureInfo.InvariantCulture),
        ["optimizer"] = Optimizer.GetType().Name,
        ["optimizer_hyperparameters"] = OptimizerHyperparameters(),
        ["loss"] = Loss.ToString() ?? "",
        ["history"] = JsonSerializer.Serialize(_history, MetadataJson),
    };

    private string OptimizerHyperparameters() => JsonSerializer.Serialize(Optimizer, Optimizer.GetType(), MetadataJson);

    private IEnumerable<(int Layer, LayerCounter Counter)> AllCounters() =>
        Network.Layers.SelectMany((runtime, i) => runtime.Counters.Select(c => (i, c)));

    private Action PrepareState(SafeTensorFile file, string source, string? modelId, string modelPath)
    {
        InvalidDataException Bad(string problem) => new($"{source}: {problem}");
        string Meta(string key) => file.Metadata.TryGetValue(key, out var value) ? value : throw Bad($"metadata '{key}' is missing.");
        void Expect(string key, string expected, string what)
        {
            string actual = Meta(key);
            if (actual != expected) throw Bad($"it was saved with {what} {actual}, but this session has {expected}.");
        }

        if (Meta("format") != CheckpointFiles.TrainingStateFormat) throw Bad($"not a training-state file (format '{Meta("format")}').");
        if (Meta("version") != FormatVersion) throw Bad($"version {Meta("version")} is not supported (this build reads {FormatVersion}).");
        if (Meta(Network<T>.CheckpointMetadataKey) != modelId)
            throw Bad($"it was not saved together with {modelPath} (a save interrupted between the two files, or files of different checkpoints).");
        Expect("dtype", Network<T>.ElementType.ToString(), "dtype");
        Expect("parameter_count", Network.Parameters.Length.ToString(CultureInfo.InvariantCulture), "parameter count");
        Expect("seed", Network.Seed.ToString(CultureInfo.InvariantCulture), "model seed (build the model with that seed)");
        Expect("optimizer", Optimizer.GetType().Name, "optimizer");
        Expect("optimizer_hyperparameters", OptimizerHyperparameters(), "optimizer hyperparameters");

        var expected = new HashSet<string>(StringComparer.Ordinal);
        var loads = new List<Action>();
        foreach (var (name, tensor) in OptimizerState.Tensors)
        {
            var entry = Network<T>.Prefixed(source, () => file.Get(OptimizerPrefix + name, Network<T>.ElementType, tensor.Length));
            expected.Add(OptimizerPrefix + name);
            loads.Add(() => Backend.Upload(tensor, MemoryMarshal.Cast<byte, T>((ReadOnlySpan<byte>)entry.Data)));
        }
        foreach (var name in OptimizerState.Scalars.Keys)
        {
            double value = Network<T>.Prefixed(source, () => file.Get(ScalarPrefix + name, SafeTensorDType.F64)).ToDoubles()[0];
            expected.Add(ScalarPrefix + name);
            loads.Add(() => OptimizerState.SetScalar(name, value));
        }
        long Count(string name)
        {
            expected.Add(name);
            long value = Network<T>.Prefixed(source, () => file.Get(name, SafeTensorDType.I64)).ToInt64s()[0];
            return value >= 0 ? value : throw Bad($"'{name}' is negative ({value}).");
        }
        foreach (var (layer, counter) in AllCounters())
        {
            long value = Count($"{CounterPrefix}{layer}.{counter.Name}");
            var runtime = Network.Layers[layer];
            loads.Add(() => runtime.SetCounter(counter.Name, value));
        }
        long step = Count(StepName), epoch = Count(EpochName), skipped = Count(SkippedName);
        var unexpected = file.Names.Where(n => !expected.Contains(n)).ToList();
        if (unexpected.Count > 0) throw Bad($"unexpected tensors {string.Join(", ", unexpected.Select(n => $"'{n}'"))}.");
        var history = ReadHistory(Meta("history"), Bad);
        if (history.Count != epoch) throw Bad($"the history lists {history.Count} epochs but the epoch count is {epoch}.");
        loads.Add(() =>
        {
            (_step, Epoch, _skippedSteps) = (step, (int)epoch, skipped);
            _history.Clear();
            _history.AddRange(history);
        });
        return () => loads.ForEach(load => load());
    }

    private static List<EpochMetrics> ReadHistory(string json, Func<string, InvalidDataException> bad)
    {
        try
        {
            var history = JsonSerializer.Deserialize<List<EpochMetrics>>(json, MetadataJson) ?? throw bad("the history is null.");
            return history.Any(h => h is null) ? throw bad("the history has a null epoch.") : history;
        }
        catch (JsonException e)
        {
            throw bad($"the history is not valid JSON ({e.Message}).");
        }
    }
}
