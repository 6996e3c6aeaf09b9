namespace CudaNet.Cpu;

// Step control (StepControl.cs): the block is host memory here, so BeginStep is a plain function of it and each
// controlled update reads its group's record, returns when the step is skipped, and otherwise runs the same kernels as
// the host-scalar update with the record's gradient factor applied first.
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void BeginStepCore(StepControl<T> control, Tensor<T> squaredNorm, Tensor<T> loss) =>
        BeginStepKernel<T>.Run(control, squaredNorm, loss);

    /// <inheritdoc/>
    protected override void CopyIfSkippedCore(Tensor<T> y, Tensor<T> x, StepControl<T> control)
    {
        if (Span(control.State)[StepControl<T>.Applies] == 0) CopyCore(y, x);
    }

    /// <inheritdoc/>
    protected override void SgdUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.Sgd(record, (SgdSettings)control.Plan.Settings);
        if (IsReference) SgdUpdateKernels<T>.Reference(parameters, gradients, momentumBuffer, c);
        else SgdUpdateKernels<T>.Simd(this, parameters, gradients, momentumBuffer, c);
    }

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.Adagrad(record);
        if (IsReference) AdagradUpdateKernels<T>.Reference(parameters, gradients, sum, c);
        else AdagradUpdateKernels<T>.Simd(this, parameters, gradients, sum, c);
    }

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta,
        StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.Adadelta(record);
        if (IsReference) AdadeltaUpdateKernels<T>.Reference(parameters, gradients, squareAvg, accDelta, c);
        else AdadeltaUpdateKernels<T>.Simd(this, parameters, gradients, squareAvg, accDelta, c);
    }

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.RmsProp(record, (RmsPropSettings)control.Plan.Settings);
        if (IsReference) RmsPropUpdateKernels<T>.Reference(parameters, gradients, squareAvg, gradAvg, momentumBuffer, c);
        else RmsPropUpdateKernels<T>.Simd(this, parameters, gradients, squareAvg, gradAvg, momentumBuffer, c);
    }

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.Adam(record, (AdamSettings)control.Plan.Settings);
        if (IsReference) AdamUpdateKernels<T>.Reference(parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, c);
        else AdamUpdateKernels<T>.Simd(this, parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, c);
    }

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf,
        StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.Adamax(record);
        if (IsReference) AdamaxUpdateKernels<T>.Reference(parameters, gradients, expAvg, expInf, c);
        else AdamaxUpdateKernels<T>.Simd(this, parameters, gradients, expAvg, expInf, c);
    }

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        StepControl<T> control, int group)
    {
        var record = RecordOf(control, group);
        if (!StepRecord<T>.Applied(record)) return;
        var c = StepRecord<T>.Nadam(record);
        if (IsReference) NadamUpdateKernels<T>.Reference(parameters, gradients, expAvg, expAvgSq, c);
        else NadamUpdateKernels<T>.Simd(this, parameters, gradients, expAvg, expAvgSq, c);
    }

    private static ReadOnlySpan<T> RecordOf(StepControl<T> control, int group) =>
        Span(control.Records).Slice(group * StepRecord<T>.Width, StepRecord<T>.Width);
}
