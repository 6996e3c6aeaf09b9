using CudaNet.Cpu.Dense;

namespace CudaNet.Cpu;

public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void GemmCore(Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        if (IsReference) GemmKernels<T>.Reference(c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
        else GemmKernels<T>.Simd(this, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
    }

    /// <inheritdoc/>
    protected override void ActivationForwardCore(Tensor<T> y, Tensor<T> x, Activation activation)
    {
        if (IsReference) ActivationKernels<T>.ForwardReference(y, x, activation);
        else ActivationKernels<T>.ForwardSimd(this, y, x, activation);
    }

    /// <inheritdoc/>
    protected override void ActivationBackwardCore(Tensor<T> dx, Tensor<T> dy, Tensor<T> x, Tensor<T> y, Activation activation)
    {
        if (IsReference) ActivationKernels<T>.BackwardReference(dx, dy, x, y, activation);
        else ActivationKernels<T>.BackwardSimd(this, dx, dy, x, y, activation);
    }

    /// <inheritdoc/>
    protected override void PReLUForwardCore(Tensor<T> y, Tensor<T> x, Tensor<T> alpha)
    {
        if (IsReference) PReLUKernels<T>.ForwardReference(y, x, alpha);
        else PReLUKernels<T>.ForwardSimd(this, y, x, alpha);
    }

    /// <inheritdoc/>
    protected override void PReLUBackwardCore(Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x, Tensor<T> alpha)
    {
        if (IsReference) PReLUKernels<T>.BackwardReference(dx, dAlpha, dy, x, alpha);
        else PReLUKernels<T>.BackwardSimd(this, dx, dAlpha, dy, x, alpha);
    }

    /// <inheritdoc/>
    protected override void SoftmaxForwardCore(Tensor<T> y, Tensor<T> x)
    {
        if (IsReference) SoftmaxKernels<T>.Reference(y, x);
        else SoftmaxKernels<T>.Simd(this, y, x);
    }
}
