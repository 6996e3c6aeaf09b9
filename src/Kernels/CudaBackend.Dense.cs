namespace CudaNet.Cuda;

// Dense layers: no kernels yet; every op throws until its kernels.cu section and launcher exist.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override void GemmCore(Tensor<float> c, Tensor<float> a, bool transposeA, Tensor<float> b,
        bool transposeB, float alpha, float beta, Tensor<float>? bias, Activation epilogue, int k) =>
        throw NoKernel("Gemm");

    /// <inheritdoc/>
    protected override void ActivationForwardCore(Tensor<float> y, Tensor<float> x, Activation activation) =>
        throw NoKernel("ActivationForward");

    /// <inheritdoc/>
    protected override void ActivationBackwardCore(Tensor<float> dx, Tensor<float> dy, Tensor<float> x,
        Tensor<float> y, Activation activation) =>
        throw NoKernel("ActivationBackward");

    /// <inheritdoc/>
    protected override void PReLUForwardCore(Tensor<float> y, Tensor<float> x, Tensor<float> alpha) =>
        throw NoKernel("PReLUForward");

    /// <inheritdoc/>
    protected override void PReLUBackwardCore(Tensor<float> dx, Tensor<float> dAlpha, Tensor<float> dy,
        Tensor<float> x, Tensor<float> alpha) =>
        throw NoKernel("PReLUBackward");

    /// <inheritdoc/>
    protected override void SoftmaxForwardCore(Tensor<float> y, Tensor<float> x) =>
        throw NoKernel("SoftmaxForward");
}
