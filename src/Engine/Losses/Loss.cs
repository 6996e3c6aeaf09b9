using System.Numerics;

namespace CudaNet;

/// <summary>The targets of a batch: class labels (classification) or values shaped like the output.</summary>
/// <param name="Labels">Class indices (N), for losses that take them.</param>
/// <param name="Values">Targets (N, outputs), for the others.</param>
public readonly record struct BatchTargets<T>(Tensor<int>? Labels, Tensor<T>? Values) where T : unmanaged;

/// <summary>A training loss: the mean over the batch, and its gradient with respect to the model's output.</summary>
public abstract class Loss
{
    /// <summary>Softmax cross-entropy on logits with class labels (PyTorch <c>nn.CrossEntropyLoss</c>).</summary>
    public static Loss SoftmaxCrossEntropy { get; } = new CrossEntropy(0);

    /// <summary>Softmax cross-entropy with label smoothing ε in [0, 1] (PyTorch's <c>label_smoothing</c>).</summary>
    public static Loss SoftmaxCrossEntropyWithLabelSmoothing(double smoothing) => smoothing is >= 0 and <= 1
        ? new CrossEntropy(smoothing)
        : throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Loss: label smoothing must be in [0, 1].");

    /// <summary>Mean squared error (PyTorch <c>nn.MSELoss</c>).</summary>
    public static Loss MeanSquaredError { get; } = new Mse();

    /// <summary>Binary cross-entropy on logits (PyTorch <c>nn.BCEWithLogitsLoss</c>), targets in [0, 1].</summary>
    public static Loss BinaryCrossEntropyWithLogits { get; } = new Bce();

    /// <summary>True when the loss takes class labels; false when it takes target values.</summary>
    public abstract bool TakesClassLabels { get; }

    /// <summary>Writes the mean loss to <paramref name="loss"/>[0] and, when given, ∂loss/∂output to
    /// <paramref name="gradient"/>.</summary>
    public abstract void Compute<T>(IBackend<T> backend, Tensor<T> loss, Tensor<T>? gradient, Tensor<T> output, BatchTargets<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static TTarget Required<TTarget>(TTarget? target, string loss) where TTarget : class =>
        target ?? throw new ArgumentException($"{loss}: the batch has no {(typeof(TTarget) == typeof(Tensor<int>) ? "class labels" : "target values")}.");

    private sealed class CrossEntropy(double smoothing) : Loss
    {
        public override bool TakesClassLabels => true;

        public override void Compute<T>(IBackend<T> backend, Tensor<T> loss, Tensor<T>? gradient, Tensor<T> output, BatchTargets<T> targets) =>
            backend.SoftmaxCrossEntropy(loss, gradient, output, Required(targets.Labels, nameof(SoftmaxCrossEntropy)), smoothing);

        public override string ToString() => smoothing == 0 ? "softmax-cross-entropy" : $"softmax-cross-entropy(smoothing {smoothing})";
    }

    private sealed class Mse : Loss
    {
        public override bool TakesClassLabels => false;

        public override void Compute<T>(IBackend<T> backend, Tensor<T> loss, Tensor<T>? gradient, Tensor<T> output, BatchTargets<T> targets) =>
            backend.MseLoss(loss, gradient, output, Required(targets.Values, nameof(MeanSquaredError)));

        public override string ToString() => "mse";
    }

    private sealed class Bce : Loss
    {
        public override bool TakesClassLabels => false;

        public override void Compute<T>(IBackend<T> backend, Tensor<T> loss, Tensor<T>? gradient, Tensor<T> output, BatchTargets<T> targets) =>
            backend.BinaryCrossEntropyWithLogits(loss, gradient, output, Required(targets.Values, nameof(BinaryCrossEntropyWithLogits)));

        public override string ToString() => "bce-with-logits";
    }
}
