namespace CudaNet.Cpu;

// Placeholder overrides; each is replaced by the op's reference and SIMD implementation.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void DropoutCore(Tensor<T> y, Tensor<T> x, float p, ulong seed, ulong offset) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void DropConnectMaskCore(Tensor<T> wMasked, Tensor<T> w, float p, ulong seed, ulong offset) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void AddGaussianNoiseCore(Tensor<T> y, Tensor<T> x, T stddev, ulong seed, ulong offset) => throw new NotImplementedException();

}
