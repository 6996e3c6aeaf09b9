namespace CudaNet.Cuda;

// Normalisation: no kernels yet; every op throws until its kernels.cu section and launcher exist.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override void BatchNormForwardTrainingCore(Tensor<float> y, Tensor<float> savedMean,
        Tensor<float> savedInvStd, Tensor<float> runningMean, Tensor<float> runningVar, Tensor<float> x,
        Tensor<float> gamma, Tensor<float> beta, float momentum, float eps) =>
        throw NoKernel("BatchNormForwardTraining");

    /// <inheritdoc/>
    protected override void BatchNormForwardInferenceCore(Tensor<float> y, Tensor<float> x, Tensor<float> gamma,
        Tensor<float> beta, Tensor<float> runningMean, Tensor<float> runningVar, float eps) =>
        throw NoKernel("BatchNormForwardInference");

    /// <inheritdoc/>
    protected override void BatchNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd) =>
        throw NoKernel("BatchNormBackward");

    /// <inheritdoc/>
    protected override void LayerNormForwardCore(Tensor<float> y, Tensor<float> savedMean, Tensor<float> savedInvStd,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> beta, float eps) =>
        throw NoKernel("LayerNormForward");

    /// <inheritdoc/>
    protected override void LayerNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd) =>
        throw NoKernel("LayerNormBackward");

    /// <inheritdoc/>
    protected override void GroupNormForwardCore(Tensor<float> y, Tensor<float> savedMean, Tensor<float> savedInvStd,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> beta, int groups, float eps) =>
        throw NoKernel("GroupNormForward");

    /// <inheritdoc/>
    protected override void GroupNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd,
        int groups) =>
        throw NoKernel("GroupNormBackward");
}
