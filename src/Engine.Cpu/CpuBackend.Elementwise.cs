using CudaNet.Cpu.Elementwise;

namespace CudaNet.Cpu;

// Elementwise family: the kernels live in Elementwise/, one op per file (Fill, Copy, Scale and Axpy share Blas1.cs).
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void FillCore(Tensor<T> x, T value)
    {
        if (IsReference) Blas1Kernels<T>.FillReference(x, value);
        else Blas1Kernels<T>.FillSimd(this, x, value);
    }

    /// <inheritdoc/>
    protected override void CopyCore(Tensor<T> y, Tensor<T> x)
    {
        if (IsReference) Blas1Kernels<T>.CopyReference(y, x);
        else Blas1Kernels<T>.CopySimd(this, y, x);
    }

    /// <inheritdoc/>
    protected override void ScaleCore(Tensor<T> y, Tensor<T> x, T alpha)
    {
        if (IsReference) Blas1Kernels<T>.ScaleReference(y, x, alpha);
        else Blas1Kernels<T>.ScaleSimd(this, y, x, alpha);
    }

    /// <inheritdoc/>
    protected override void AxpyCore(Tensor<T> y, Tensor<T> x, T alpha)
    {
        if (IsReference) Blas1Kernels<T>.AxpyReference(y, x, alpha);
        else Blas1Kernels<T>.AxpySimd(this, y, x, alpha);
    }

    /// <inheritdoc/>
    protected override void SquaredNormCore(Tensor<T> result, Tensor<T> x)
    {
        if (IsReference) SquaredNormKernels<T>.Reference(result, x);
        else SquaredNormKernels<T>.Simd(this, result, x);
    }

    /// <inheritdoc/>
    protected override void ColumnSumCore(Tensor<T> y, Tensor<T> x)
    {
        if (IsReference) ColumnSumKernels<T>.Reference(y, x);
        else ColumnSumKernels<T>.Simd(this, y, x);
    }

    /// <inheritdoc/>
    protected override void RowSumCore(Tensor<T> y, Tensor<T> x)
    {
        if (IsReference) RowSumKernels<T>.Reference(y, x);
        else RowSumKernels<T>.Simd(this, y, x);
    }

    /// <inheritdoc/>
    protected override void GatherRowsCore(Tensor<T> y, Tensor<T> x, Tensor<int> indices)
    {
        if (IsReference) GatherRowsKernels<T>.Reference(y, x, indices);
        else GatherRowsKernels<T>.Simd(this, y, x, indices);
    }

    /// <inheritdoc/>
    protected override void ArgMaxCountCorrectCore(Tensor<int> correct, Tensor<T> logits, Tensor<int> labels)
    {
        if (IsReference) ArgMaxCountCorrectKernels<T>.Reference(correct, logits, labels);
        else ArgMaxCountCorrectKernels<T>.Simd(this, correct, logits, labels);
    }
}
