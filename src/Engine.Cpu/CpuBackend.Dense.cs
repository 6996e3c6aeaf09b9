namespace CudaNet.Cpu;

// Placeholder overrides; each is replaced by the op's reference and SIMD implementation.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void GemmCore(Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void ActivationForwardCore(Tensor<T> y, Tensor<T> x, Activation activation) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void ActivationBackwardCore(Tensor<T> dx, Tensor<T> dy, Tensor<T> x, Tensor<T> y, Activation activation) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void PReLUForwardCore(Tensor<T> y, Tensor<T> x, Tensor<T> alpha) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void PReLUBackwardCore(Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x, Tensor<T> alpha) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void SoftmaxForwardCore(Tensor<T> y, Tensor<T> x) => throw new NotImplementedException();

}
