namespace CudaNet.Cpu;

// Placeholder overrides; each is replaced by the op's reference and SIMD implementation.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void SoftmaxCrossEntropyCore(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<int> labels, T labelSmoothing) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void MseLossCore(Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction, Tensor<T> target) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void BinaryCrossEntropyWithLogitsCore(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<T> target) => throw new NotImplementedException();

}
