namespace CudaNet.Cpu;

// Losses: each override picks the reference or the SIMD kernel (src/Engine.Cpu/Losses/).
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void SoftmaxCrossEntropyCore(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<int> labels, T labelSmoothing)
    {
        if (IsReference) SoftmaxCrossEntropyKernels<T>.Reference(loss, dLogits, logits, labels, labelSmoothing);
        else SoftmaxCrossEntropyKernels<T>.Simd(this, loss, dLogits, logits, labels, labelSmoothing);
    }

    /// <inheritdoc/>
    protected override void MseLossCore(Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction, Tensor<T> target)
    {
        if (IsReference) MseLossKernels<T>.Reference(loss, dPrediction, prediction, target);
        else MseLossKernels<T>.Simd(this, loss, dPrediction, prediction, target);
    }

    /// <inheritdoc/>
    protected override void BinaryCrossEntropyWithLogitsCore(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<T> target)
    {
        if (IsReference) BinaryCrossEntropyWithLogitsKernels<T>.Reference(loss, dLogits, logits, target);
        else BinaryCrossEntropyWithLogitsKernels<T>.Simd(this, loss, dLogits, logits, target);
    }
}
