using System.Numerics;

namespace CudaNet;

/// <summary>
/// A layer as the user describes it (sizes, hyperparameters). It holds no tensors: compiling a model builds one
/// <see cref="LayerRuntime{T}"/> per layer on a backend, with its parameters as views into the model's flat
/// buffers (DESIGN.md §3). Write your own layer by deriving from both.
/// </summary>
public abstract class Layer
{
    /// <summary>Features per example this layer produces from <paramref name="inputFeatures"/> (validates them).</summary>
    public abstract int OutputFeatures(int inputFeatures);

    /// <summary>Features per example this layer requires, when it fixes them (Dense, BatchNorm…); else null.</summary>
    public virtual int? InputFeatures => null;

    /// <summary>Declares the layer's parameters and buffers in <paramref name="context"/> and returns its runtime.</summary>
    public abstract LayerRuntime<T> Build<T>(LayerContext<T> context) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Throws when <paramref name="inputFeatures"/> differs from what this layer was declared with.</summary>
    protected void RequireInput(int inputFeatures, int expected)
    {
        if (inputFeatures != expected)
            throw new ArgumentException($"{GetType().Name}: expects {expected} input features but receives {inputFeatures}.",
                nameof(inputFeatures));
    }
}

/// <summary>A layer whose output has as many features as its input, fixed at construction (normalisation, PReLU).</summary>
public abstract class FeatureLayer : Layer
{
    /// <summary>Validates and stores the feature count.</summary>
    protected FeatureLayer(int features)
    {
        if (features < 1)
            throw new ArgumentOutOfRangeException(nameof(features), features, $"{GetType().Name}: features must be >= 1.");
        Features = features;
    }

    /// <summary>F, the features per example in and out.</summary>
    public int Features { get; }

    /// <inheritdoc/>
    public override int? InputFeatures => Features;

    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures)
    {
        RequireInput(inputFeatures, Features);
        return Features;
    }
}

/// <summary>
/// A layer compiled for a backend. The network calls <see cref="Reserve"/> once per batch size, then
/// <see cref="Forward"/> and <see cref="Backward"/> on views of its activation arena: nothing is allocated inside
/// a training step.
/// </summary>
public abstract class LayerRuntime<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Features per example of the output.</summary>
    public abstract int OutputFeatures { get; }

    /// <summary>Allocates scratch that depends on the batch size (rows up to <paramref name="maxRows"/>).</summary>
    public virtual void Reserve(int maxRows)
    {
    }

    /// <summary>y = layer(x) for a batch x (N, in), y (N, out).</summary>
    public abstract void Forward(Tensor<T> x, Tensor<T> y, bool training);

    /// <summary>
    /// Stochastic inference (MC dropout, Gal and Ghahramani 2016): y = layer(x) as in evaluation (normalisation uses
    /// its running statistics, no state or counter changes) except that stochastic layers draw their masks or noise
    /// as in training, from the sampling stream <see cref="StochasticStreams.Sample"/>(index, <paramref name="draw"/>),
    /// which is disjoint from the training streams. The default is the evaluation forward: override it in layers
    /// that are random in training.
    /// </summary>
    public virtual void ForwardSample(Tensor<T> x, Tensor<T> y, ulong draw) => Forward(x, y, training: false);

    /// <summary>
    /// Given dy = ∂L/∂y, writes the parameter gradients (overwriting) and, when <paramref name="dx"/> is not null,
    /// ∂L/∂x. x and y are the tensors of the last <see cref="Forward"/> in training mode.
    /// </summary>
    public abstract void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx);

    /// <summary>Host-side counters saved with the model: BatchNorm's <c>num_batches_tracked</c> (in PyTorch's state
    /// dict), a stochastic layer's Philox offset (training state only).</summary>
    public virtual IEnumerable<LayerCounter> Counters => [];

    /// <summary>Restores a counter saved from <see cref="Counters"/>.</summary>
    public virtual void SetCounter(string name, long value) =>
        throw new ArgumentException($"{GetType().Name} has no counter '{name}'.", nameof(name));

    /// <summary>Frees the runtime's scratch (parameters belong to the network's flat buffers).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees scratch tensors.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A host-side integer a layer keeps between steps.</summary>
/// <param name="Name">Name inside the layer.</param>
/// <param name="Value">Current value.</param>
/// <param name="InStateDict">Whether PyTorch's state dict holds it (else it belongs to the training state).</param>
public readonly record struct LayerCounter(string Name, long Value, bool InStateDict);
