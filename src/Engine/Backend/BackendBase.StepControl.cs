namespace CudaNet;

// The step-control ops (StepControl.cs): BeginStep, the controlled form of every fused update, CopyIfSkipped.
public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void BeginStep(StepControl<T> control, Tensor<T> squaredNorm, Tensor<T> loss)
    {
        var check = Check(nameof(BeginStep));
        CheckControl(check, control);
        check.Length(squaredNorm, nameof(squaredNorm), 1, "a scalar");
        check.Length(loss, nameof(loss), 1, "a scalar");
        BeginStepCore(control, squaredNorm, loss);
    }

    /// <inheritdoc/>
    public void CopyIfSkipped(Tensor<T> y, Tensor<T> x, StepControl<T> control)
    {
        var check = Check(nameof(CopyIfSkipped));
        CheckControl(check, control);
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        check.NoOverlap(y, nameof(y), x, nameof(x));
        if (x.Length > 0) CopyIfSkippedCore(y, x, control);
    }

    /// <inheritdoc/>
    public void SgdUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(SgdUpdate), parameters, gradients, control, group, UpdateRule.Sgd);
        if (((SgdSettings)control.Plan.Settings).Momentum > 0)
            CheckState(check, momentumBuffer, nameof(momentumBuffer), parameters, gradients, "momentum > 0");
        if (parameters.Length > 0) SgdUpdateCore(parameters, gradients, momentumBuffer, control, group);
    }

    /// <inheritdoc/>
    public void AdagradUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(AdagradUpdate), parameters, gradients, control, group, UpdateRule.Adagrad);
        CheckState(check, sum, nameof(sum), parameters, gradients, "always");
        if (parameters.Length > 0) AdagradUpdateCore(parameters, gradients, sum, control, group);
    }

    /// <inheritdoc/>
    public void AdadeltaUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta,
        StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(AdadeltaUpdate), parameters, gradients, control, group, UpdateRule.Adadelta);
        CheckState(check, squareAvg, nameof(squareAvg), parameters, gradients, "always");
        CheckState(check, accDelta, nameof(accDelta), parameters, gradients, "always");
        if (parameters.Length > 0) AdadeltaUpdateCore(parameters, gradients, squareAvg, accDelta, control, group);
    }

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(RmsPropUpdate), parameters, gradients, control, group, UpdateRule.RmsProp);
        var settings = (RmsPropSettings)control.Plan.Settings;
        CheckState(check, squareAvg, nameof(squareAvg), parameters, gradients, "always");
        if (settings.Centered) CheckState(check, gradAvg, nameof(gradAvg), parameters, gradients, "centered");
        if (settings.Momentum > 0) CheckState(check, momentumBuffer, nameof(momentumBuffer), parameters, gradients, "momentum > 0");
        if (parameters.Length > 0) RmsPropUpdateCore(parameters, gradients, squareAvg, gradAvg, momentumBuffer, control, group);
    }

    /// <inheritdoc/>
    public void AdamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, Tensor<T>? maxExpAvgSq,
        StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(AdamUpdate), parameters, gradients, control, group, UpdateRule.Adam);
        CheckState(check, expAvg, nameof(expAvg), parameters, gradients, "always");
        CheckState(check, expAvgSq, nameof(expAvgSq), parameters, gradients, "always");
        if (((AdamSettings)control.Plan.Settings).Amsgrad)
            CheckState(check, maxExpAvgSq, nameof(maxExpAvgSq), parameters, gradients, "AMSGrad");
        if (parameters.Length > 0) AdamUpdateCore(parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, control, group);
    }

    /// <inheritdoc/>
    public void AdamaxUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf,
        StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(AdamaxUpdate), parameters, gradients, control, group, UpdateRule.Adamax);
        CheckState(check, expAvg, nameof(expAvg), parameters, gradients, "always");
        CheckState(check, expInf, nameof(expInf), parameters, gradients, "always");
        if (parameters.Length > 0) AdamaxUpdateCore(parameters, gradients, expAvg, expInf, control, group);
    }

    /// <inheritdoc/>
    public void NadamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        StepControl<T> control, int group)
    {
        var check = CheckControlledUpdate(nameof(NadamUpdate), parameters, gradients, control, group, UpdateRule.Nadam);
        CheckState(check, expAvg, nameof(expAvg), parameters, gradients, "always");
        CheckState(check, expAvgSq, nameof(expAvgSq), parameters, gradients, "always");
        if (parameters.Length > 0) NadamUpdateCore(parameters, gradients, expAvg, expAvgSq, control, group);
    }

    private static void CheckControl(OpCheck check, StepControl<T>? control)
    {
        if (control is null) throw new ArgumentNullException(nameof(control), $"{check.Op}: argument 'control' is null.");
        check.Tensor(control.Records, nameof(control));
        check.Tensor(control.State, nameof(control));
    }

    private OpCheck CheckControlledUpdate(string op, Tensor<T> parameters, Tensor<T> gradients, StepControl<T> control, int group,
        UpdateRule rule)
    {
        var check = Check(op);
        CheckControl(check, control);
        if (control.Rule != rule) throw check.Fail(nameof(control), $"plans a {control.Rule} update, not {rule}");
        if (group < 0 || group >= control.Groups) throw check.Fail(nameof(group), $"must be in [0, {control.Groups}) but is {group}");
        check.Tensor(parameters, nameof(parameters));
        check.Length(gradients, nameof(gradients), parameters.Length, "as many as 'parameters'");
        check.NoOverlap(gradients, nameof(gradients), parameters, nameof(parameters));
        return check;
    }

    /// <summary>Validated <see cref="BeginStep"/>.</summary>
    protected abstract void BeginStepCore(StepControl<T> control, Tensor<T> squaredNorm, Tensor<T> loss);
    /// <summary>Validated <see cref="CopyIfSkipped"/>, non-empty.</summary>
    protected abstract void CopyIfSkippedCore(Tensor<T> y, Tensor<T> x, StepControl<T> control);
    /// <summary>Validated controlled <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>, non-empty.</summary>
    protected abstract void SgdUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, StepControl<T> control,
        int group);
    /// <summary>Validated controlled <see cref="AdagradUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>, non-empty.</summary>
    protected abstract void AdagradUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, StepControl<T> control, int group);
    /// <summary>Validated controlled <see cref="AdadeltaUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>,
    /// non-empty.</summary>
    protected abstract void AdadeltaUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta,
        StepControl<T> control, int group);
    /// <summary>Validated controlled <see cref="RmsPropUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>,
    /// non-empty.</summary>
    protected abstract void RmsPropUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, StepControl<T> control, int group);
    /// <summary>Validated controlled <see cref="AdamUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>,
    /// non-empty.</summary>
    protected abstract void AdamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, StepControl<T> control, int group);
    /// <summary>Validated controlled <see cref="AdamaxUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>,
    /// non-empty.</summary>
    protected abstract void AdamaxUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf,
        StepControl<T> control, int group);
    /// <summary>Validated controlled <see cref="NadamUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>,
    /// non-empty.</summary>
    protected abstract void NadamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        StepControl<T> control, int group);
}
