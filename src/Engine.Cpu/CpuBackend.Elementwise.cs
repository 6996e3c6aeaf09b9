namespace CudaNet.Cpu;

// Placeholder overrides; each is replaced by the op's reference and SIMD implementation.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void FillCore(Tensor<T> x, T value) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void CopyCore(Tensor<T> y, Tensor<T> x) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void ScaleCore(Tensor<T> y, Tensor<T> x, T alpha) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void AxpyCore(Tensor<T> y, Tensor<T> x, T alpha) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void SquaredNormCore(Tensor<T> result, Tensor<T> x) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void ColumnSumCore(Tensor<T> y, Tensor<T> x) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void RowSumCore(Tensor<T> y, Tensor<T> x) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void GatherRowsCore(Tensor<T> y, Tensor<T> x, Tensor<int> indices) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void ArgMaxCountCorrectCore(Tensor<int> correct, Tensor<T> logits, Tensor<int> labels) => throw new NotImplementedException();

}
