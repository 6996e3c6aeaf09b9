namespace CudaNet.Cuda;

// Optimizers: no kernels yet; every op throws until its kernels.cu section and launcher exist.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override void SgdUpdateCore(Tensor<float> parameters, Tensor<float> gradients,
        Tensor<float>? momentumBuffer, SgdSettings settings, UpdateStep step) =>
        throw NoKernel("SgdUpdate");

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> sum,
        AdagradSettings settings, UpdateStep step) =>
        throw NoKernel("AdagradUpdate");

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<float> parameters, Tensor<float> gradients,
        Tensor<float> squareAvg, Tensor<float> accDelta, AdadeltaSettings settings, UpdateStep step) =>
        throw NoKernel("AdadeltaUpdate");

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<float> parameters, Tensor<float> gradients,
        Tensor<float> squareAvg, Tensor<float>? gradAvg, Tensor<float>? momentumBuffer, RmsPropSettings settings,
        UpdateStep step) =>
        throw NoKernel("RmsPropUpdate");

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, Tensor<float>? maxExpAvgSq, AdamSettings settings, UpdateStep step) =>
        throw NoKernel("AdamUpdate");

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expInf, AdamaxSettings settings, UpdateStep step) =>
        throw NoKernel("AdamaxUpdate");

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, NadamSettings settings, UpdateStep step, double muProduct) =>
        throw NoKernel("NadamUpdate");
}
