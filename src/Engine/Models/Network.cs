using System.Numerics;

namespace CudaNet;

/// <summary>
/// A <see cref="Sequential"/> built on a backend: every parameter lives in one flat buffer (gradients in a
/// second one with the same layout), grouped into <see cref="Groups"/>; activations and their gradients live in
/// an arena sized once per batch size, so <see cref="Forward"/> and <see cref="Backward"/> allocate nothing.
/// Not thread-safe.
/// </summary>
public sealed partial class Network<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerRuntime<T>[] _runtimes;
    private readonly int[] _features;
    private ArenaSlot[] _activations = [];
    private ArenaSlot[] _gradients = [];
    private int _lastRows = -1;
    private bool _disposed;

    internal Network(Sequential model, IBackend<T> backend, ulong seed)
    {
        Model = model;
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));
        Seed = seed;
        var contexts = new List<LayerContext<T>>();
        _features = new int[model.Layers.Count + 1];
        _features[0] = model.InputFeatures;
        _runtimes = new LayerRuntime<T>[model.Layers.Count];
        try
        {
            for (int i = 0; i < _runtimes.Length; i++)
            {
                var context = new LayerContext<T>(backend, i, _features[i], seed);
                _runtimes[i] = LayerFusion.Build(model.Layers, i, context);
                _features[i + 1] = _runtimes[i].OutputFeatures;
                contexts.Add(context);
            }
            (Parameters, Gradients, Groups, NamedParameters) = LayOutParameters(backend, contexts);
            (Buffers, NamedBuffers) = LayOutBuffers(backend, contexts);
            InitializeParameters(backend, NamedParameters, seed);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The model this network was built from.</summary>
    public Sequential Model { get; }
    /// <summary>The backend it runs on.</summary>
    public IBackend<T> Backend { get; }
    /// <summary>Seed of the initialisation and of every stochastic layer.</summary>
    public ulong Seed { get; }
    /// <summary>All parameters, flat.</summary>
    public Tensor<T> Parameters { get; }
    /// <summary>All gradients, flat, same layout as <see cref="Parameters"/>.</summary>
    public Tensor<T> Gradients { get; }
    /// <summary>Contiguous ranges of parameters sharing decay and penalties.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }
    /// <summary>Parameters with their state-dict names ("0.weight"…), in model order.</summary>
    public IReadOnlyList<(string Name, Parameter<T> Parameter)> NamedParameters { get; }
    /// <summary>Non-trainable state (running statistics), flat.</summary>
    public Tensor<T>? Buffers { get; }
    /// <summary>Buffers with their state-dict names.</summary>
    public IReadOnlyList<(string Name, ModelBuffer<T> Buffer)> NamedBuffers { get; }
    /// <summary>The compiled layers.</summary>
    public IReadOnlyList<LayerRuntime<T>> Layers => _runtimes;
    /// <summary>Features per example of the input.</summary>
    public int InputFeatures => _features[0];
    /// <summary>Features per example of the output.</summary>
    public int OutputFeatures => _features[^1];
    /// <summary>Largest batch the arena holds (0 before the first <see cref="Reserve"/>).</summary>
    public int Capacity { get; private set; }

    /// <summary>Sizes the activation arena for batches of up to <paramref name="maxRows"/> rows (no-op if it
    /// already fits).</summary>
    public void Reserve(int maxRows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "Network.Reserve: rows must be >= 1.");
        if (maxRows <= Capacity) return;
        FreeArena();
        _activations = new ArenaSlot[_features.Length];
        _gradients = new ArenaSlot[_features.Length];
        // A layer fused into the one before it computes nothing: its output slot is its input slot, its input
        // gradient slot its output gradient slot (shared storage, so nothing is copied).
        for (int i = 0; i < _features.Length; i++)
            _activations[i] = i > 0 && LayerFusion.FusedIntoPrevious(Model.Layers, i - 1)
                ? _activations[i - 1]
                : new ArenaSlot(Backend.Allocate<T>(maxRows, _features[i]));
        // No layer needs the gradient of the model's input.
        for (int i = _features.Length - 1; i > 0; i--)
            _gradients[i] = i < _runtimes.Length && LayerFusion.FusedIntoPrevious(Model.Layers, i)
                ? _gradients[i + 1]
                : new ArenaSlot(Backend.Allocate<T>(maxRows, _features[i]));
        foreach (var runtime in _runtimes) runtime.Reserve(maxRows);
        Capacity = maxRows;
    }

    /// <summary>The input slot of the arena for a batch of <paramref name="rows"/> rows: gather or upload the
    /// batch here, then call <see cref="Forward"/>.</summary>
    public Tensor<T> Input(int rows) => Slot(_activations, 0, rows);

    /// <summary>Runs every layer on the batch in <see cref="Input"/>(rows) and returns a view of the output.</summary>
    public Tensor<T> Forward(int rows, bool training)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < _runtimes.Length; i++)
            _runtimes[i].Forward(Slot(_activations, i, rows), Slot(_activations, i + 1, rows), training);
        _lastRows = rows;
        return Slot(_activations, _runtimes.Length, rows);
    }

    /// <summary>
    /// Stochastic inference on the batch in <see cref="Input"/>(rows): every layer runs
    /// <see cref="LayerRuntime{T}.ForwardSample"/> with <paramref name="draw"/>, so dropout and noise are on while
    /// normalisation uses its running statistics and nothing the training state holds changes. The same draw on the
    /// same batch gives the same output; different draws give independent masks.
    /// </summary>
    public Tensor<T> ForwardSample(int rows, ulong draw)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < _runtimes.Length; i++)
            _runtimes[i].ForwardSample(Slot(_activations, i, rows), Slot(_activations, i + 1, rows), draw);
        _lastRows = rows;
        return Slot(_activations, _runtimes.Length, rows);
    }

    /// <summary>Output of layer <paramref name="layer"/> for the last forward batch (layer -1: the input). A
    /// BatchNorm followed by a ReLU runs fused (<see cref="LayerFusion"/>) and never materialises its pre-activation:
    /// its output here is the ReLU's, max(BN(x), 0).</summary>
    public Tensor<T> LayerOutput(int layer)
    {
        if (layer < -1 || layer >= _runtimes.Length)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Network: layer must be in [-1, {_runtimes.Length}).");
        if (_lastRows < 0) throw new InvalidOperationException("Network.LayerOutput: call Forward first.");
        return Slot(_activations, layer + 1, _lastRows);
    }

    /// <summary>The slot for ∂L/∂output of the last forward batch: write the loss gradient here, then call
    /// <see cref="Backward"/>.</summary>
    public Tensor<T> OutputGradient => Slot(_gradients, _runtimes.Length, _lastRows);

    /// <summary>Back-propagates <see cref="OutputGradient"/> through every layer, overwriting <see cref="Gradients"/>.</summary>
    public void Backward()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lastRows < 0) throw new InvalidOperationException("Network.Backward: call Forward first.");
        int rows = _lastRows;
        for (int i = _runtimes.Length - 1; i >= 0; i--)
            _runtimes[i].Backward(Slot(_activations, i, rows), Slot(_activations, i + 1, rows), Slot(_gradients, i + 1, rows),
                i == 0 ? null : Slot(_gradients, i, rows));
    }

    private Tensor<T> Slot(ArenaSlot[] arena, int index, int rows)
    {
        if (rows < 1 || rows > Capacity)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Network: batch of {rows} rows does not fit the arena ({Capacity}); call Reserve.");
        return arena[index].Rows(rows, _features[index]);
    }

    private void FreeArena()
    {
        foreach (var slot in _activations) slot?.Storage.Dispose();
        foreach (var slot in _gradients) slot?.Storage.Dispose();
        Capacity = 0;
    }

    /// <summary>One arena buffer and its view for the current batch size, kept so that a steady stream of
    /// equal-sized batches creates no new objects.</summary>
    private sealed class ArenaSlot(Tensor<T> storage)
    {
        private Tensor<T>? _view;

        public Tensor<T> Storage => storage;

        public Tensor<T> Rows(int rows, int features)
        {
            if (_view is null || _view.Rows != rows) _view = storage.View(0, rows, features);
            return _view;
        }
    }

    /// <summary>Frees the parameters, buffers, arena and layer scratch; harmless twice.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        FreeArena();
        foreach (var runtime in _runtimes) runtime?.Dispose();
        Parameters?.Dispose();
        Gradients?.Dispose();
        Buffers?.Dispose();
    }
}
