using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
using CudaNet.Data;

namespace CudaNet;

/// <summary>
/// Thread-safe inference on a trained network: any number of threads may call <see cref="Predict(ReadOnlySpan{float}, Span{float})"/>
/// at once, each getting exactly what a sequential evaluation-mode forward pass gives. The parameters and buffers
/// are shared read-only; everything a forward pass writes (the activation arena and the layers' scratch, such as
/// LayerNorm's statistics or DropConnect's moment-matching terms) lives in an inference context of its own: a set
/// of layer runtimes built from the model and bound to the network's parameter views. A call borrows an idle
/// context, or builds one, so a pool of up to one context per concurrent caller forms and is then reused.
/// </summary>
/// <remarks>
/// <para>The predictor reads the network's current weights: do not train the network (or load weights into it)
/// while predictions run. On the CPU backend, whose ops keep no state between calls, predictions run in parallel;
/// other backends (a CUDA backend queues every op on one stream) take them one at a time.</para>
/// <para>Dispose the predictor before the network; a predictor of a disposed network throws
/// <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class Predictor<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Network<T> _network;
    private readonly bool _parallel;
    private readonly ConcurrentBag<InferenceContext> _idle = [];
    private readonly List<InferenceContext> _all = [];
    private bool _disposed;

    internal Predictor(Network<T> network)
    {
        _network = network;
        _parallel = network.Backend.SupportsConcurrentCalls;
    }

    /// <summary>Inference contexts built so far (at most the number of concurrent callers seen).</summary>
    public int Contexts
    {
        get
        {
            lock (_all) return _all.Count;
        }
    }

    /// <summary>
    /// The network's outputs for the rows of <paramref name="input"/> (rows × input features) into
    /// <paramref name="output"/> (rows × output features), in evaluation mode. Safe to call from many threads.
    /// </summary>
    public void Predict(ReadOnlySpan<float> input, Span<float> output)
    {
        int features = _network.InputFeatures;
        if (input.Length == 0 || input.Length % features != 0)
            throw new ArgumentException($"Predictor.Predict: input has {input.Length} values, not a positive multiple of {features} features.", nameof(input));
        int rows = input.Length / features;
        if (output.Length != rows * _network.OutputFeatures)
            throw new ArgumentException($"Predictor.Predict: output has {output.Length} values but {rows} rows need {rows * _network.OutputFeatures}.", nameof(output));
        ObjectDisposedException.ThrowIf(_disposed, this);
        _network.ThrowIfDisposed();
        var context = Rent();
        try
        {
            if (_parallel)
            {
                context.Run(input, output, rows);
            }
            else
            {
                lock (_network.Backend) context.Run(input, output, rows);
            }
        }
        finally
        {
            _idle.Add(context);
        }
    }

    /// <summary>Outputs for every example of <paramref name="data"/> (rows × output features).</summary>
    public float[] Predict(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var output = new float[data.Count * _network.OutputFeatures];
        Predict(data.Features, output);
        return output;
    }

    private InferenceContext Rent()
    {
        if (_idle.TryTake(out var context)) return context;
        context = new InferenceContext(_network);
        lock (_all)
        {
            if (_disposed)
            {
                context.Dispose();
                throw new ObjectDisposedException(nameof(Predictor<T>));
            }
            _all.Add(context);
        }
        return context;
    }

    /// <summary>Frees every inference context; harmless twice. Calls still in flight must have returned.</summary>
    public void Dispose()
    {
        lock (_all)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var context in _all) context.Dispose();
            _all.Clear();
        }
    }

    /// <summary>One caller's layer runtimes (bound to the shared parameters) and activation buffers.</summary>
    private sealed class InferenceContext : IDisposable
    {
        private readonly Network<T> _network;
        private readonly LayerRuntime<T>[] _runtimes;
        private readonly RowScratch<T>[] _activations;
        private T[]? _host;

        public InferenceContext(Network<T> network)
        {
            _network = network;
            _runtimes = network.BuildInferenceRuntimes();
            _activations = new RowScratch<T>[_runtimes.Length + 1];
            _activations[0] = new RowScratch<T>(network.Backend, network.InputFeatures);
            // A layer fused into the one before it reads and writes the same buffer (see LayerFusion).
            for (int i = 0; i < _runtimes.Length; i++)
                _activations[i + 1] = LayerFusion.FusedIntoPrevious(network.Model.Layers, i)
                    ? _activations[i]
                    : new RowScratch<T>(network.Backend, _runtimes[i].OutputFeatures);
        }

        public void Run(ReadOnlySpan<float> input, Span<float> output, int rows)
        {
            foreach (var slot in _activations) slot.Reserve(rows);
            foreach (var runtime in _runtimes) runtime.Reserve(rows);
            var backend = _network.Backend;
            if (typeof(T) == typeof(float))
            {
                backend.Upload(_activations[0].Rows(rows), MemoryMarshal.Cast<float, T>(input));
                backend.Download(Forward(rows), MemoryMarshal.Cast<float, T>(output));
                return;
            }
            if (_host is null || _host.Length < Math.Max(input.Length, output.Length)) _host = new T[Math.Max(input.Length, output.Length)];
            for (int i = 0; i < input.Length; i++) _host[i] = T.CreateTruncating(input[i]);
            backend.Upload(_activations[0].Rows(rows), _host.AsSpan(0, input.Length));
            backend.Download(Forward(rows), _host.AsSpan(0, output.Length));
            for (int i = 0; i < output.Length; i++) output[i] = float.CreateTruncating(_host[i]);
        }

        private Tensor<T> Forward(int rows)
        {
            for (int i = 0; i < _runtimes.Length; i++) _runtimes[i].Forward(_activations[i].Rows(rows), _activations[i + 1].Rows(rows), training: false);
            return _activations[^1].Rows(rows);
        }

        public void Dispose()
        {
            foreach (var runtime in _runtimes) runtime.Dispose();
            foreach (var slot in _activations) slot.Dispose();
        }
    }
}

public sealed partial class Network<T>
{
    /// <summary>A thread-safe inference path sharing this network's parameters (see <see cref="Predictor{T}"/>).</summary>
    public Predictor<T> CreatePredictor()
    {
        ThrowIfDisposed();
        return new Predictor<T>(this);
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>A fresh runtime per layer, with scratch of its own, whose parameters and buffers are this network's
    /// views (built against the same model and seed, so the declarations match one for one).</summary>
    internal LayerRuntime<T>[] BuildInferenceRuntimes()
    {
        var runtimes = new LayerRuntime<T>[_runtimes.Length];
        var parameters = NamedParameters.ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var buffers = NamedBuffers.ToDictionary(b => b.Name, b => b.Buffer, StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < runtimes.Length; i++)
            {
                var context = new LayerContext<T>(Backend, i, _features[i], Seed);
                runtimes[i] = LayerFusion.Build(Model.Layers, i, context);
                foreach (var p in context.Parameters)
                {
                    var shared = parameters[$"{i}.{p.Name}"];
                    (p.Value, p.Gradient) = (shared.Value, shared.Gradient);
                }
                foreach (var b in context.Buffers) b.Value = buffers[$"{i}.{b.Name}"].Value;
            }
            return runtimes;
        }
        catch
        {
            foreach (var runtime in runtimes) runtime?.Dispose();
            throw;
        }
    }
}

public sealed partial class TrainingSession<T>
{
    /// <summary>A thread-safe inference path on this session's network (see <see cref="Predictor{T}"/>); the session
    /// itself stays single-threaded. Do not train while predictions run.</summary>
    public Predictor<T> CreatePredictor() => Network.CreatePredictor();
}
