namespace CudaNet.Cpu;

// Fused optimizer updates: the per-call scalars come from UpdateCoefficients (shared with the CUDA launchers),
// the per-element work from the kernels in Optimizers/.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void SgdUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, SgdSettings settings, UpdateStep step)
    {
        var c = SgdCoefficients<T>.From(settings, step);
        if (IsReference) SgdUpdateKernels<T>.Reference(parameters, gradients, momentumBuffer, c);
        else SgdUpdateKernels<T>.Simd(this, parameters, gradients, momentumBuffer, c);
    }

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, AdagradSettings settings, UpdateStep step)
    {
        var c = AdagradCoefficients<T>.From(settings, step);
        if (IsReference) AdagradUpdateKernels<T>.Reference(parameters, gradients, sum, c);
        else AdagradUpdateKernels<T>.Simd(this, parameters, gradients, sum, c);
    }

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta, AdadeltaSettings settings, UpdateStep step)
    {
        var c = AdadeltaCoefficients<T>.From(settings, step);
        if (IsReference) AdadeltaUpdateKernels<T>.Reference(parameters, gradients, squareAvg, accDelta, c);
        else AdadeltaUpdateKernels<T>.Simd(this, parameters, gradients, squareAvg, accDelta, c);
    }

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg, Tensor<T>? momentumBuffer, RmsPropSettings settings, UpdateStep step)
    {
        var c = RmsPropCoefficients<T>.From(settings, step);
        if (IsReference) RmsPropUpdateKernels<T>.Reference(parameters, gradients, squareAvg, gradAvg, momentumBuffer, c);
        else RmsPropUpdateKernels<T>.Simd(this, parameters, gradients, squareAvg, gradAvg, momentumBuffer, c);
    }

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, Tensor<T>? maxExpAvgSq, AdamSettings settings, UpdateStep step)
    {
        var c = AdamCoefficients<T>.From(settings, step);
        if (IsReference) AdamUpdateKernels<T>.Reference(parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, c);
        else AdamUpdateKernels<T>.Simd(this, parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, c);
    }

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf, AdamaxSettings settings, UpdateStep step)
    {
        var c = AdamaxCoefficients<T>.From(settings, step);
        if (IsReference) AdamaxUpdateKernels<T>.Reference(parameters, gradients, expAvg, expInf, c);
        else AdamaxUpdateKernels<T>.Simd(this, parameters, gradients, expAvg, expInf, c);
    }

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, NadamSettings settings, UpdateStep step, double muProduct)
    {
        var c = NadamCoefficients<T>.From(settings, step, muProduct);
        if (IsReference) NadamUpdateKernels<T>.Reference(parameters, gradients, expAvg, expAvgSq, c);
        else NadamUpdateKernels<T>.Simd(this, parameters, gradients, expAvg, expAvgSq, c);
    }
}
