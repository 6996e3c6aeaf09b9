namespace CudaNet.Cuda;

// Stochastic ops: no kernels yet; every op throws until its kernels.cu section and launcher exist.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override void DropoutCore(Tensor<float> y, Tensor<float> x, float p, ulong seed, ulong offset) =>
        throw NoKernel("Dropout");

    /// <inheritdoc/>
    protected override void DropConnectMaskCore(Tensor<float> wMasked, Tensor<float> w, float p, ulong seed,
        ulong offset) =>
        throw NoKernel("DropConnectMask");

    /// <inheritdoc/>
    protected override void AddGaussianNoiseCore(Tensor<float> y, Tensor<float> x, float stddev, ulong seed,
        ulong offset) =>
        throw NoKernel("AddGaussianNoise");
}
