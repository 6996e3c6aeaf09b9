namespace CudaNet;

public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void SgdUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, SgdSettings settings, UpdateStep step)
    {
        var check = CheckUpdate(nameof(SgdUpdate), parameters, gradients, step);
        check.NonNegative(settings.Momentum, "settings.Momentum");
        check.NonNegative(settings.Dampening, "settings.Dampening");
        if (settings.Nesterov && (settings.Momentum <= 0 || settings.Dampening != 0))
            throw check.Fail("settings.Nesterov", "requires momentum > 0 and zero dampening");
        if (settings.Momentum > 0) CheckState(check, momentumBuffer, nameof(momentumBuffer), parameters, gradients, "momentum > 0");
        if (parameters.Length > 0) SgdUpdateCore(parameters, gradients, momentumBuffer, settings, step);
    }

    /// <inheritdoc/>
    public void AdagradUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, AdagradSettings settings, UpdateStep step)
    {
        var check = CheckUpdate(nameof(AdagradUpdate), parameters, gradients, step);
        check.NonNegative(settings.LrDecay, "settings.LrDecay");
        check.NonNegative(settings.Eps, "settings.Eps");
        CheckState(check, sum, nameof(sum), parameters, gradients, "always");
        if (parameters.Length > 0) AdagradUpdateCore(parameters, gradients, sum, settings, step);
    }

    /// <inheritdoc/>
    public void AdadeltaUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta,
        AdadeltaSettings settings, UpdateStep step)
    {
        var check = CheckUpdate(nameof(AdadeltaUpdate), parameters, gradients, step);
        check.InRange(settings.Rho, "settings.Rho", 0, 1);
        check.NonNegative(settings.Eps, "settings.Eps");
        CheckState(check, squareAvg, nameof(squareAvg), parameters, gradients, "always");
        CheckState(check, accDelta, nameof(accDelta), parameters, gradients, "always");
        if (parameters.Length > 0) AdadeltaUpdateCore(parameters, gradients, squareAvg, accDelta, settings, step);
    }

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, RmsPropSettings settings, UpdateStep step)
    {
        var check = CheckUpdate(nameof(RmsPropUpdate), parameters, gradients, step);
        check.NonNegative(settings.Alpha, "settings.Alpha");
        check.NonNegative(settings.Eps, "settings.Eps");
        check.NonNegative(settings.Momentum, "settings.Momentum");
        if (settings.Nesterov && settings.Momentum <= 0) throw check.Fail("settings.Nesterov", "requires momentum > 0");
        CheckState(check, squareAvg, nameof(squareAvg), parameters, gradients, "always");
        if (settings.Centered) CheckState(check, gradAvg, nameof(gradAvg), parameters, gradients, "centered");
        if (settings.Momentum > 0) CheckState(check, momentumBuffer, nameof(momentumBuffer), parameters, gradients, "momentum > 0");
        if (parameters.Length > 0) RmsPropUpdateCore(parameters, gradients, squareAvg, gradAvg, momentumBuffer, settings, step);
    }

    /// <inheritdoc/>
    public void AdamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, AdamSettings settings, UpdateStep step)
    {
        var check = CheckUpdate(nameof(AdamUpdate), parameters, gradients, step);
        CheckBetas(check, settings.Beta1, settings.Beta2, settings.Eps);
        CheckState(check, expAvg, nameof(expAvg), parameters, gradients, "always");
        CheckState(check, expAvgSq, nameof(expAvgSq), parameters, gradients, "always");
        if (settings.Amsgrad) CheckState(check, maxExpAvgSq, nameof(maxExpAvgSq), parameters, gradients, "AMSGrad");
        if (parameters.Length > 0) AdamUpdateCore(parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, settings, step);
    }

    /// <inheritdoc/>
    public void AdamaxUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf,
        AdamaxSettings settings, UpdateStep step)
    {
        var check = CheckUpdate(nameof(AdamaxUpdate), parameters, gradients, step);
        CheckBetas(check, settings.Beta1, settings.Beta2, settings.Eps);
        CheckState(check, expAvg, nameof(expAvg), parameters, gradients, "always");
        CheckState(check, expInf, nameof(expInf), parameters, gradients, "always");
        if (parameters.Length > 0) AdamaxUpdateCore(parameters, gradients, expAvg, expInf, settings, step);
    }

    /// <inheritdoc/>
    public void NadamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        NadamSettings settings, UpdateStep step, double muProduct)
    {
        var check = CheckUpdate(nameof(NadamUpdate), parameters, gradients, step);
        CheckBetas(check, settings.Beta1, settings.Beta2, settings.Eps);
        check.NonNegative(settings.MomentumDecay, "settings.MomentumDecay");
        check.InRange(muProduct, nameof(muProduct), 0, 1);
        CheckState(check, expAvg, nameof(expAvg), parameters, gradients, "always");
        CheckState(check, expAvgSq, nameof(expAvgSq), parameters, gradients, "always");
        if (parameters.Length > 0) NadamUpdateCore(parameters, gradients, expAvg, expAvgSq, settings, step, muProduct);
    }

    private OpCheck CheckUpdate(string op, Tensor<T> parameters, Tensor<T> gradients, UpdateStep step)
    {
        var check = Check(op);
        check.Tensor(parameters, nameof(parameters));
        check.Length(gradients, nameof(gradients), parameters.Length, "as many as 'parameters'");
        check.NoOverlap(gradients, nameof(gradients), parameters, nameof(parameters));
        check.NonNegative(step.LearningRate, "step.LearningRate");
        if (step.Step < 1) throw check.Fail("step.Step", $"must be >= 1 (the count including this update) but is {step.Step}");
        check.NonNegative(step.L1, "step.L1");
        check.NonNegative(step.L2, "step.L2");
        check.NonNegative(step.WeightDecay, "step.WeightDecay");
        return check;
    }

    private static void CheckState(OpCheck check, Tensor<T>? state, string name, Tensor<T> parameters, Tensor<T> gradients, string when)
    {
        if (state is null) throw check.Fail(name, $"is required ({when}) but is null");
        check.Length(state, name, parameters.Length, "as many as 'parameters'");
        check.NoOverlap(state, name, parameters, nameof(parameters));
        check.NoOverlap(state, name, gradients, nameof(gradients));
    }

    private static void CheckBetas(OpCheck check, double beta1, double beta2, double eps)
    {
        check.InRange(beta1, "settings.Beta1", 0, 1, hiExclusive: true);
        check.InRange(beta2, "settings.Beta2", 0, 1, hiExclusive: true);
        check.NonNegative(eps, "settings.Eps");
    }

    /// <summary>Validated <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, SgdSettings, UpdateStep)"/>, non-empty.</summary>
    protected abstract void SgdUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer,
        SgdSettings settings, UpdateStep step);
    /// <summary>Validated <see cref="AdagradUpdate(Tensor{T}, Tensor{T}, Tensor{T}, AdagradSettings, UpdateStep)"/>, non-empty.</summary>
    protected abstract void AdagradUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum,
        AdagradSettings settings, UpdateStep step);
    /// <summary>Validated <see cref="AdadeltaUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, AdadeltaSettings, UpdateStep)"/>, non-empty.</summary>
    protected abstract void AdadeltaUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg,
        Tensor<T> accDelta, AdadeltaSettings settings, UpdateStep step);
    /// <summary>Validated <see cref="RmsPropUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, RmsPropSettings, UpdateStep)"/>, non-empty.</summary>
    protected abstract void RmsPropUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg,
        Tensor<T>? gradAvg, Tensor<T>? momentumBuffer, RmsPropSettings settings, UpdateStep step);
    /// <summary>Validated <see cref="AdamUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, AdamSettings, UpdateStep)"/>, non-empty.</summary>
    protected abstract void AdamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg,
        Tensor<T> expAvgSq, Tensor<T>? maxExpAvgSq, AdamSettings settings, UpdateStep step);
    /// <summary>Validated <see cref="AdamaxUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, AdamaxSettings, UpdateStep)"/>, non-empty.</summary>
    protected abstract void AdamaxUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg,
        Tensor<T> expInf, AdamaxSettings settings, UpdateStep step);
    /// <summary>Validated <see cref="NadamUpdate(Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, NadamSettings, UpdateStep, double)"/>, non-empty.</summary>
    protected abstract void NadamUpdateCore(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg,
        Tensor<T> expAvgSq, NadamSettings settings, UpdateStep step, double muProduct);
}
