namespace CudaNet.Cpu;

// Placeholder overrides; each is replaced by the op's reference and SIMD implementation.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void SgdUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, SgdSettings settings, UpdateStep step) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, AdagradSettings settings, UpdateStep step) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta, AdadeltaSettings settings, UpdateStep step) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg, Tensor<T>? momentumBuffer, RmsPropSettings settings, UpdateStep step) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, Tensor<T>? maxExpAvgSq, AdamSettings settings, UpdateStep step) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf, AdamaxSettings settings, UpdateStep step) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, NadamSettings settings, UpdateStep step, double muProduct) => throw new NotImplementedException();

}
