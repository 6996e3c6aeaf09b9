namespace CudaNet.Cpu;

// Placeholder overrides; each is replaced by the op's reference and SIMD implementation.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void BatchNormForwardTrainingCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void BatchNormForwardInferenceCore(Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, Tensor<T> runningMean, Tensor<T> runningVar, T eps) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void BatchNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void LayerNormForwardCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T eps) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void LayerNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void GroupNormForwardCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, int groups, T eps) => throw new NotImplementedException();

    /// <inheritdoc/>
    protected override void GroupNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups) => throw new NotImplementedException();

}
