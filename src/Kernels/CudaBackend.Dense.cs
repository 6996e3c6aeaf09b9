namespace CudaNet.Cuda;

// Dense family: launchers of the kernels of kernels.cu's sections gemm … softmax_forward, each passing its arguments
// in the kernel's parameter order and types (pointers as 64-bit device addresses; an activation as its (int)Kind and
// its α rounded to float, as the CPU rounds it).
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override unsafe void GemmCore(Tensor<float> c, Tensor<float> a, bool transposeA, Tensor<float> b,
        bool transposeB, float alpha, float beta, Tensor<float>? bias, Activation epilogue, int k)
    {
        if (GemmPrecision == GemmPrecision.Tf32)
        {
            GemmTf32(c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
            return;
        }
        ulong output = Address(c), left = Address(a), right = Address(b), shift = bias is null ? 0 : Address(bias);
        int m = c.Rows, n = c.Columns, flagA = transposeA ? 1 : 0, flagB = transposeB ? 1 : 0;
        int kind = (int)epilogue.Kind;
        float slope = (float)epilogue.Alpha;
        var configuration = GemmConfiguration.For(m, n, Multiprocessors);
        Launch(GemmKernel(configuration, a, b), configuration.Launch(m, n), stackalloc nint[]
        {
            (nint)(&output), (nint)(&left), (nint)(&right), (nint)(&shift), (nint)(&m), (nint)(&n), (nint)(&k),
            (nint)(&flagA), (nint)(&flagB), (nint)(&alpha), (nint)(&beta), (nint)(&kind), (nint)(&slope),
        });
    }

    /// <summary>The gemm entry point that <see cref="GemmCore"/> launches for C = op(A)·op(B) on this device (the
    /// benchmark names it in its rows).</summary>
    internal Kernel GemmKernel(Tensor<float> c, Tensor<float> a, Tensor<float> b) =>
        GemmKernel(GemmConfiguration.For(c.Rows, c.Columns, Multiprocessors), a, b);

    // A and B are dense and row-major, so a stored row is Columns long whichever way op() reads it.
    private static Kernel GemmKernel(GemmConfiguration configuration, Tensor<float> a, Tensor<float> b) =>
        configuration.KernelFor(GemmConfiguration.Vectorizable(Address(a), a.Columns, Address(b), b.Columns));

    /// <inheritdoc/>
    protected override unsafe void ActivationForwardCore(Tensor<float> y, Tensor<float> x, Activation activation)
    {
        ulong output = Address(y), input = Address(x);
        int n = x.Length, kind = (int)activation.Kind;
        float alpha = (float)activation.Alpha;
        Launch(Kernel.ActivationForward, LaunchGeometry.Elementwise(n, Multiprocessors),
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&n), (nint)(&kind), (nint)(&alpha) });
    }

    /// <inheritdoc/>
    protected override unsafe void ActivationBackwardCore(Tensor<float> dx, Tensor<float> dy, Tensor<float> x,
        Tensor<float> y, Activation activation)
    {
        ulong gradient = Address(dx), upstream = Address(dy), input = Address(x), output = Address(y);
        int n = dy.Length, kind = (int)activation.Kind;
        float alpha = (float)activation.Alpha;
        Launch(Kernel.ActivationBackward, LaunchGeometry.Elementwise(n, Multiprocessors), stackalloc nint[]
        {
            (nint)(&gradient), (nint)(&upstream), (nint)(&input), (nint)(&output), (nint)(&n), (nint)(&kind),
            (nint)(&alpha),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void PReLUForwardCore(Tensor<float> y, Tensor<float> x, Tensor<float> alpha)
    {
        ulong output = Address(y), input = Address(x), slopes = Address(alpha);
        int n = x.Length, features = alpha.Length;
        Launch(Kernel.PReLUForward, LaunchGeometry.Elementwise(n, Multiprocessors),
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&slopes), (nint)(&n), (nint)(&features) });
    }

    /// <inheritdoc/>
    protected override unsafe void PReLUBackwardCore(Tensor<float> dx, Tensor<float> dAlpha, Tensor<float> dy,
        Tensor<float> x, Tensor<float> alpha)
    {
        ulong gradient = Address(dx), slopeGradient = Address(dAlpha), upstream = Address(dy), input = Address(x);
        ulong slopes = Address(alpha);
        int features = alpha.Length, rows = dy.Length / features;
        Launch(Kernel.PReLUBackward, DenseGeometry.PReLUBackward(features), stackalloc nint[]
        {
            (nint)(&gradient), (nint)(&slopeGradient), (nint)(&upstream), (nint)(&input), (nint)(&slopes),
            (nint)(&rows), (nint)(&features),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void SoftmaxForwardCore(Tensor<float> y, Tensor<float> x)
    {
        ulong output = Address(y), input = Address(x);
        int rows = x.Rows, columns = x.Columns;
        Launch(Kernel.SoftmaxForward, DenseGeometry.Softmax(rows),
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&rows), (nint)(&columns) });
    }
}
