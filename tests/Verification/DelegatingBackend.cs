namespace CudaNet.Tests.Verification;

/// <summary>
/// A backend that forwards every op to <paramref name="inner"/>; tests derive from it and override one op to
/// break it on purpose. Tensors are the inner backend's, so its argument checks still apply.
/// </summary>
public class DelegatingBackend(IBackend<float> inner) : IBackend<float>
{
    protected IBackend<float> Inner => inner;

    public virtual string Name => "delegating-" + inner.Name;
    public AllocationCounter Allocations => inner.Allocations;
    public bool SupportsConcurrentCalls => inner.SupportsConcurrentCalls;
    public Tensor<TElement> Allocate<TElement>(params int[] shape) where TElement : unmanaged => inner.Allocate<TElement>(shape);
    public virtual void Upload<TElement>(Tensor<TElement> destination, ReadOnlySpan<TElement> source) where TElement : unmanaged =>
        inner.Upload(destination, source);
    public virtual void Download<TElement>(Tensor<TElement> source, Span<TElement> destination) where TElement : unmanaged =>
        inner.Download(source, destination);
    public virtual void Synchronize() => inner.Synchronize();
    public void Dispose()
    {
        inner.Dispose();
        GC.SuppressFinalize(this);
    }

    public virtual void Fill(Tensor<float> x, double value) => inner.Fill(x, value);
    public virtual void Copy(Tensor<float> y, Tensor<float> x) => inner.Copy(y, x);
    public virtual void Scale(Tensor<float> y, Tensor<float> x, double alpha) => inner.Scale(y, x, alpha);
    public virtual void Axpy(Tensor<float> y, Tensor<float> x, double alpha) => inner.Axpy(y, x, alpha);
    public virtual void SquaredNorm(Tensor<float> result, Tensor<float> x) => inner.SquaredNorm(result, x);
    public virtual void ColumnSum(Tensor<float> y, Tensor<float> x) => inner.ColumnSum(y, x);
    public virtual void RowSum(Tensor<float> y, Tensor<float> x) => inner.RowSum(y, x);
    public virtual void GatherRows(Tensor<float> y, Tensor<float> x, Tensor<int> indices) => inner.GatherRows(y, x, indices);
    public virtual void ArgMaxCountCorrect(Tensor<int> correct, Tensor<float> logits, Tensor<int> labels) =>
        inner.ArgMaxCountCorrect(correct, logits, labels);

    public virtual void Gemm(Tensor<float> c, Tensor<float> a, bool transposeA, Tensor<float> b, bool transposeB, double alpha,
        double beta, Tensor<float>? bias = null, Activation epilogue = default) =>
        inner.Gemm(c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue);
    public virtual void ActivationForward(Tensor<float> y, Tensor<float> x, Activation activation) => inner.ActivationForward(y, x, activation);
    public virtual void ActivationBackward(Tensor<float> dx, Tensor<float> dy, Tensor<float> x, Tensor<float> y, Activation activation) =>
        inner.ActivationBackward(dx, dy, x, y, activation);
    public virtual void PReLUForward(Tensor<float> y, Tensor<float> x, Tensor<float> alpha) => inner.PReLUForward(y, x, alpha);
    public virtual void PReLUBackward(Tensor<float> dx, Tensor<float> dAlpha, Tensor<float> dy, Tensor<float> x, Tensor<float> alpha) =>
        inner.PReLUBackward(dx, dAlpha, dy, x, alpha);
    public virtual void SoftmaxForward(Tensor<float> y, Tensor<float> x) => inner.SoftmaxForward(y, x);

    public virtual void BatchNormForwardTraining(Tensor<float> y, Tensor<float> savedMean, Tensor<float> savedInvStd,
        Tensor<float> runningMean, Tensor<float> runningVar, Tensor<float> x, Tensor<float> gamma, Tensor<float> beta,
        double momentum, double eps, Activation activation = default) =>
        inner.BatchNormForwardTraining(y, savedMean, savedInvStd, runningMean, runningVar, x, gamma, beta, momentum, eps, activation);
    public virtual void BatchNormForwardInference(Tensor<float> y, Tensor<float> x, Tensor<float> gamma, Tensor<float> beta,
        Tensor<float> runningMean, Tensor<float> runningVar, double eps, Activation activation = default) =>
        inner.BatchNormForwardInference(y, x, gamma, beta, runningMean, runningVar, eps, activation);
    public virtual void BatchNormBackward(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta, Tensor<float> dy,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd, Tensor<float>? y = null,
        Activation activation = default) =>
        inner.BatchNormBackward(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, y, activation);
    public virtual void LayerNormForward(Tensor<float> y, Tensor<float> savedMean, Tensor<float> savedInvStd, Tensor<float> x,
        Tensor<float> gamma, Tensor<float> beta, double eps) =>
        inner.LayerNormForward(y, savedMean, savedInvStd, x, gamma, beta, eps);
    public virtual void LayerNormBackward(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta, Tensor<float> dy,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd) =>
        inner.LayerNormBackward(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd);
    public virtual void GroupNormForward(Tensor<float> y, Tensor<float> savedMean, Tensor<float> savedInvStd, Tensor<float> x,
        Tensor<float> gamma, Tensor<float> beta, int groups, double eps) =>
        inner.GroupNormForward(y, savedMean, savedInvStd, x, gamma, beta, groups, eps);
    public virtual void GroupNormBackward(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta, Tensor<float> dy,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd, int groups) =>
        inner.GroupNormBackward(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, groups);

    public virtual void DropoutForward(Tensor<float> y, Tensor<float> x, double p, ulong seed, ulong offset) =>
        inner.DropoutForward(y, x, p, seed, offset);
    public virtual void DropoutBackward(Tensor<float> dx, Tensor<float> dy, double p, ulong seed, ulong offset) =>
        inner.DropoutBackward(dx, dy, p, seed, offset);
    public virtual void DropConnectMask(Tensor<float> wMasked, Tensor<float> w, double p, ulong seed, ulong offset) =>
        inner.DropConnectMask(wMasked, w, p, seed, offset);
    public virtual void AddGaussianNoise(Tensor<float> y, Tensor<float> x, double stddev, ulong seed, ulong offset) =>
        inner.AddGaussianNoise(y, x, stddev, seed, offset);

    public virtual void SoftmaxCrossEntropy(Tensor<float> loss, Tensor<float>? dLogits, Tensor<float> logits, Tensor<int> labels,
        double labelSmoothing = 0) => inner.SoftmaxCrossEntropy(loss, dLogits, logits, labels, labelSmoothing);
    public virtual void MseLoss(Tensor<float> loss, Tensor<float>? dPrediction, Tensor<float> prediction, Tensor<float> target) =>
        inner.MseLoss(loss, dPrediction, prediction, target);
    public virtual void BinaryCrossEntropyWithLogits(Tensor<float> loss, Tensor<float>? dLogits, Tensor<float> logits, Tensor<float> target) =>
        inner.BinaryCrossEntropyWithLogits(loss, dLogits, logits, target);

    public virtual void SgdUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float>? momentumBuffer, SgdSettings settings,
        UpdateStep step) => inner.SgdUpdate(parameters, gradients, momentumBuffer, settings, step);
    public virtual void AdagradUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> sum, AdagradSettings settings,
        UpdateStep step) => inner.AdagradUpdate(parameters, gradients, sum, settings, step);
    public virtual void AdadeltaUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg, Tensor<float> accDelta,
        AdadeltaSettings settings, UpdateStep step) => inner.AdadeltaUpdate(parameters, gradients, squareAvg, accDelta, settings, step);
    public virtual void RmsPropUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg, Tensor<float>? gradAvg,
        Tensor<float>? momentumBuffer, RmsPropSettings settings, UpdateStep step) =>
        inner.RmsPropUpdate(parameters, gradients, squareAvg, gradAvg, momentumBuffer, settings, step);
    public virtual void AdamUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg, Tensor<float> expAvgSq,
        Tensor<float>? maxExpAvgSq, AdamSettings settings, UpdateStep step) =>
        inner.AdamUpdate(parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, settings, step);
    public virtual void AdamaxUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg, Tensor<float> expInf,
        AdamaxSettings settings, UpdateStep step) => inner.AdamaxUpdate(parameters, gradients, expAvg, expInf, settings, step);
    public virtual void NadamUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg, Tensor<float> expAvgSq,
        NadamSettings settings, UpdateStep step, double muProduct) =>
        inner.NadamUpdate(parameters, gradients, expAvg, expAvgSq, settings, step, muProduct);

    public virtual void BeginStep(StepControl<float> control, Tensor<float> squaredNorm, Tensor<float> loss) =>
        inner.BeginStep(control, squaredNorm, loss);
    public virtual void CopyIfSkipped(Tensor<float> y, Tensor<float> x, StepControl<float> control) => inner.CopyIfSkipped(y, x, control);
    public virtual void SgdUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float>? momentumBuffer,
        StepControl<float> control, int group) => inner.SgdUpdate(parameters, gradients, momentumBuffer, control, group);
    public virtual void AdagradUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> sum, StepControl<float> control,
        int group) => inner.AdagradUpdate(parameters, gradients, sum, control, group);
    public virtual void AdadeltaUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg, Tensor<float> accDelta,
        StepControl<float> control, int group) => inner.AdadeltaUpdate(parameters, gradients, squareAvg, accDelta, control, group);
    public virtual void RmsPropUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg, Tensor<float>? gradAvg,
        Tensor<float>? momentumBuffer, StepControl<float> control, int group) =>
        inner.RmsPropUpdate(parameters, gradients, squareAvg, gradAvg, momentumBuffer, control, group);
    public virtual void AdamUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg, Tensor<float> expAvgSq,
        Tensor<float>? maxExpAvgSq, StepControl<float> control, int group) =>
        inner.AdamUpdate(parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, control, group);
    public virtual void AdamaxUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg, Tensor<float> expInf,
        StepControl<float> control, int group) => inner.AdamaxUpdate(parameters, gradients, expAvg, expInf, control, group);
    public virtual void NadamUpdate(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg, Tensor<float> expAvgSq,
        StepControl<float> control, int group) => inner.NadamUpdate(parameters, gradients, expAvg, expAvgSq, control, group);
}
