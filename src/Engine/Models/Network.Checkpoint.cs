using System.Globalization;
using System.Runtime.InteropServices;
using CudaNet.IO;

namespace CudaNet;

/// <summary>
/// Model files: safetensors with PyTorch <c>nn.Sequential</c> state-dict names and dtypes (F32 for a float network,
/// F64 for a double one; <c>num_batches_tracked</c> as an I64 scalar), and metadata <c>format = "pt"</c> plus the
/// <see cref="ModelSpec"/> and seed, so the file alone rebuilds the model (DESIGN.md §9).
/// </summary>
public sealed partial class Network<T>
{
    /// <summary>Metadata key of the <see cref="ModelSpec"/> JSON.</summary>
    public const string SpecMetadataKey = "cudanet.model";

    /// <summary>Metadata key of the seed the network was built with (decimal).</summary>
    public const string SeedMetadataKey = "cudanet.seed";

    /// <summary>Metadata key tying a model file to the training-state file saved with it.</summary>
    internal const string CheckpointMetadataKey = "cudanet.checkpoint";

    /// <summary>The safetensors dtype of this network's values.</summary>
    public static SafeTensorDType ElementType =>
        typeof(T) == typeof(float) ? SafeTensorDType.F32
        : typeof(T) == typeof(double) ? SafeTensorDType.F64
        : throw new NotSupportedException($"Network: {typeof(T).Name} values have no safetensors dtype here.");

    /// <summary>Writes the model file atomically (see the type's remarks for the contents).</summary>
    /// <exception cref="NotSupportedException">A layer has no <see cref="ModelSpec"/> entry.</exception>
    public void Save(string path) => Save(path, checkpointId: null);

    internal void Save(string path, string? checkpointId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [SpecMetadataKey] = ModelSpec.ToJson(Model),
            [SeedMetadataKey] = Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (checkpointId is not null) metadata[CheckpointMetadataKey] = checkpointId;
        SafeTensors.Save(path, StateDict(), metadata);
    }

    /// <summary>The state dict as PyTorch names and orders it: per layer its parameters, buffers and in-state-dict
    /// counters (copies in host memory).</summary>
    public IReadOnlyList<KeyValuePair<string, SafeTensorEntry>> StateDict()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return StateItems().Select(item => new KeyValuePair<string, SafeTensorEntry>(item.Name, item.Tensor is null
            ? SafeTensorEntry.FromInt64s([item.Counter!.Value.Value])
            : new SafeTensorEntry(ElementType, item.Shape, MemoryMarshal.AsBytes(Backend.ToArray(item.Tensor).AsSpan()).ToArray()))).ToList();
    }

    /// <summary>Loads the weights, buffers and counters of a model file into this network. Validation is strict and
    /// happens before anything changes: every tensor present with this network's dtype and shape, no other tensor,
    /// and (when the file has a spec) the same architecture.</summary>
    /// <exception cref="InvalidDataException">The file does not fit this network; the message names the tensor.</exception>
    public void LoadWeights(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PrepareLoad(SafeTensors.Load(path), path)();
    }

    /// <summary>Rebuilds the network a model file describes (its spec and seed) on <paramref name="backend"/> and loads
    /// its weights.</summary>
    /// <exception cref="InvalidDataException">The file has no spec, or an invalid one, or its tensors do not fit it.</exception>
    public static Network<T> Load(string path, IBackend<T> backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue(SpecMetadataKey, out var spec))
            throw new InvalidDataException($"{path}: no '{SpecMetadataKey}' metadata describes the model; build it and call LoadWeights.");
        var model = Prefixed(path, () => ModelSpec.FromJson(spec));
        ulong seed = 42;
        if (file.Metadata.TryGetValue(SeedMetadataKey, out var text) && !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new InvalidDataException($"{path}: metadata '{SeedMetadataKey}' is not an unsigned integer: '{text}'.");
        var network = model.Build(backend, seed);
        try
        {
            network.PrepareLoad(file, path)();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Validates <paramref name="file"/> against this network and returns the action that loads it.</summary>
    internal Action PrepareLoad(SafeTensorFile file, string source)
    {
        CheckArchitecture(file, source);
        var items = StateItems().ToList();
        var loads = new List<Action>();
        foreach (var item in items)
        {
            if (item.Tensor is { } tensor)
            {
                var entry = Prefixed(source, () => file.Get(item.Name, ElementType, item.Shape));
                loads.Add(() => Backend.Upload(tensor, MemoryMarshal.Cast<byte, T>((ReadOnlySpan<byte>)entry.Data)));
                continue;
            }
            long value = Prefixed(source, () => file.Get(item.Name, SafeTensorDType.I64)).ToInt64s()[0];
            if (value < 0) throw new InvalidDataException($"{source}: counter '{item.Name}' is negative ({value}).");
            var (runtime, name) = (_runtimes[item.Layer], item.Counter!.Value.Name);
            loads.Add(() => runtime.SetCounter(name, value));
        }
        // Missing or misshapen tensors first: they say more about a mismatch than the leftovers do.
        var expected = items.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = file.Names.Where(n => !expected.Contains(n)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{source}: unexpected tensor{(unexpected.Count > 1 ? "s" : "")} " +
                                           $"{string.Join(", ", unexpected.Select(n => $"'{n}'"))} (not in this model's state dict).");
        return () => loads.ForEach(load => load());
    }

    private void CheckArchitecture(SafeTensorFile file, string source)
    {
        if (!file.Metadata.TryGetValue(SpecMetadataKey, out var stored)) return;
        string? mine;
        try
        {
            mine = ModelSpec.ToJson(Model);
        }
        catch (NotSupportedException)
        {
            // A layer of the user's own without a spec entry: the tensor checks below still apply.
            return;
        }
        string theirs = Prefixed(source, () => ModelSpec.ToJson(ModelSpec.FromJson(stored)));
        if (ModelSpec.Difference(mine, theirs) is { } difference)
            throw new InvalidDataException($"{source}: the file holds a model of another architecture: {difference}.");
    }

    internal static TResult Prefixed<TResult>(string source, Func<TResult> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
    }

    /// <summary>One entry of the state dict: a tensor (parameter or buffer) or a counter of a layer.</summary>
    private readonly record struct StateItem(string Name, int[] Shape, Tensor<T>? Tensor, int Layer, LayerCounter? Counter);

    private IEnumerable<StateItem> StateItems()
    {
        for (int i = 0; i < _runtimes.Length; i++)
        {
            string prefix = $"{i}.";
            foreach (var (name, p) in NamedParameters.Where(n => n.Name.StartsWith(prefix, StringComparison.Ordinal)))
                yield return new StateItem(name, p.Shape, p.Value, i, null);
            foreach (var (name, b) in NamedBuffers.Where(n => n.Name.StartsWith(prefix, StringComparison.Ordinal)))
                yield return new StateItem(name, b.Shape, b.Value, i, null);
            foreach (var counter in _runtimes[i].Counters.Where(c => c.InStateDict))
                yield return new StateItem(prefix + counter.Name, [], null, i, counter);
        }
    }
}
