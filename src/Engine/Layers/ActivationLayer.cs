using System.Numerics;

namespace CudaNet;

/// <summary>A pointwise activation as a layer (no parameters): y = act(x).</summary>
public class ActivationLayer : Layer
{
    /// <summary>Creates the layer for <paramref name="activation"/>.</summary>
    public ActivationLayer(Activation activation)
    {
        if (!Enum.IsDefined(activation.Kind))
            throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "ActivationLayer: unknown activation.");
        if (!double.IsFinite(activation.Alpha))
            throw new ArgumentOutOfRangeException(nameof(activation), activation.Alpha, "ActivationLayer: alpha must be finite.");
        Activation = activation;
    }

    /// <summary>The function.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures) => inputFeatures;

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(context.Backend, Activation, context.InputFeatures);

    private sealed class Runtime<T>(IBackend<T> backend, Activation activation, int features) : LayerRuntime<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override int OutputFeatures => features;

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training) => backend.ActivationForward(y, x, activation);

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            if (dx is not null) backend.ActivationBackward(dx, dy, x, y, activation);
        }
    }
}

/// <summary>y = max(x, 0).</summary>
public sealed class ReLU() : ActivationLayer(Activation.ReLU);

/// <summary>y = x for x &gt; 0, else slope·x (PyTorch default slope 0.01).</summary>
public sealed class LeakyReLU(double negativeSlope = 0.01) : ActivationLayer(double.IsFinite(negativeSlope)
    ? Activation.LeakyReLU(negativeSlope)
    : throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "LeakyReLU: negativeSlope must be finite."));

/// <summary>y = 1/(1 + e^-x).</summary>
public sealed class Sigmoid() : ActivationLayer(Activation.Sigmoid);

/// <summary>y = tanh x.</summary>
public sealed class Tanh() : ActivationLayer(Activation.Tanh);

/// <summary>y = x for x &gt; 0, else α(e^x - 1).</summary>
public sealed class Elu(double alpha = 1.0) : ActivationLayer(double.IsFinite(alpha) && alpha >= 0 ? Activation.Elu(alpha)
    : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Elu: alpha must be finite and >= 0."));

/// <summary>GELU, tanh approximation (PyTorch <c>approximate='tanh'</c>).</summary>
public sealed class Gelu() : ActivationLayer(Activation.Gelu);
