namespace CudaNet.Cpu;

// Normalisation ops: kernels in Normalization/. Layer norm is group norm with a single group.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void BatchNormForwardTrainingCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps, ActivationKind activation)
    {
        bool relu = activation == ActivationKind.ReLU;
        if (IsReference) BatchNormTraining<T>.Reference(y, savedMean, savedInvStd, runningMean, runningVar, x, gamma, beta, momentum, eps, relu);
        else BatchNormTraining<T>.Simd(this, y, savedMean, savedInvStd, runningMean, runningVar, x, gamma, beta, momentum, eps, relu);
    }

    /// <inheritdoc/>
    protected override void BatchNormForwardInferenceCore(Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, Tensor<T> runningMean, Tensor<T> runningVar, T eps, ActivationKind activation)
    {
        bool relu = activation == ActivationKind.ReLU;
        if (IsReference) BatchNormInference<T>.Reference(y, x, gamma, beta, runningMean, runningVar, eps, relu);
        else BatchNormInference<T>.Simd(this, y, x, gamma, beta, runningMean, runningVar, eps, relu);
    }

    /// <inheritdoc/>
    protected override void BatchNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T>? reluOutput)
    {
        if (IsReference) BatchNormBackward<T>.Reference(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, reluOutput);
        else BatchNormBackward<T>.Simd(this, dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, reluOutput);
    }

    /// <inheritdoc/>
    protected override void LayerNormForwardCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T eps) =>
        GroupNormForwardCore(y, savedMean, savedInvStd, x, gamma, beta, groups: 1, eps);

    /// <inheritdoc/>
    protected override void LayerNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd) =>
        GroupNormBackwardCore(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, groups: 1);

    /// <inheritdoc/>
    protected override void GroupNormForwardCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, int groups, T eps)
    {
        if (IsReference) GroupNormForward<T>.Reference(y, savedMean, savedInvStd, x, gamma, beta, groups, eps);
        else GroupNormForward<T>.Simd(this, y, savedMean, savedInvStd, x, gamma, beta, groups, eps);
    }

    /// <inheritdoc/>
    protected override void GroupNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups)
    {
        if (IsReference) GroupNormBackward<T>.Reference(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, groups);
        else GroupNormBackward<T>.Simd(this, dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, groups);
    }
}
