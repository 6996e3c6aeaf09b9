namespace CudaNet.Cuda;

// Losses: no kernels yet; every op throws until its kernels.cu section and launcher exist.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override void SoftmaxCrossEntropyCore(Tensor<float> loss, Tensor<float>? dLogits, Tensor<float> logits,
        Tensor<int> labels, float labelSmoothing) =>
        throw NoKernel("SoftmaxCrossEntropy");

    /// <inheritdoc/>
    protected override void MseLossCore(Tensor<float> loss, Tensor<float>? dPrediction, Tensor<float> prediction,
        Tensor<float> target) =>
        throw NoKernel("MseLoss");

    /// <inheritdoc/>
    protected override void BinaryCrossEntropyWithLogitsCore(Tensor<float> loss, Tensor<float>? dLogits,
        Tensor<float> logits, Tensor<float> target) =>
        throw NoKernel("BinaryCrossEntropyWithLogits");
}
