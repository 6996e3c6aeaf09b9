namespace CudaNet;

public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void BatchNormForwardTraining(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd,
        Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta,
        double momentum, double eps, Activation activation = default)
    {
        var check = Check(nameof(BatchNormForwardTraining));
        var (rows, features) = check.Matrix(x, nameof(x));
        if (rows < 2)
            throw check.Fail(nameof(x), $"has {rows} row(s): training needs more than 1 value per feature");
        check.SameShape(y, nameof(y), x, nameof(x));
        CheckFeatureVectors(check, features, (savedMean, nameof(savedMean)), (savedInvStd, nameof(savedInvStd)),
            (runningMean, nameof(runningMean)), (runningVar, nameof(runningVar)), (gamma, nameof(gamma)), (beta, nameof(beta)));
        check.InRange(momentum, nameof(momentum), 0, 1);
        check.Positive(eps, nameof(eps));
        CheckNormActivation(check, activation);
        if (features > 0)
            BatchNormForwardTrainingCore(y, savedMean, savedInvStd, runningMean, runningVar, x, gamma, beta, Cast(momentum), Cast(eps),
                activation.Kind);
    }

    /// <inheritdoc/>
    public void BatchNormForwardInference(Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta,
        Tensor<T> runningMean, Tensor<T> runningVar, double eps, Activation activation = default)
    {
        var check = Check(nameof(BatchNormForwardInference));
        var (_, features) = check.Matrix(x, nameof(x));
        check.SameShape(y, nameof(y), x, nameof(x));
        CheckFeatureVectors(check, features, (gamma, nameof(gamma)), (beta, nameof(beta)),
            (runningMean, nameof(runningMean)), (runningVar, nameof(runningVar)));
        check.Positive(eps, nameof(eps));
        CheckNormActivation(check, activation);
        if (x.Length > 0) BatchNormForwardInferenceCore(y, x, gamma, beta, runningMean, runningVar, Cast(eps), activation.Kind);
    }

    /// <inheritdoc/>
    public void BatchNormBackward(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T>? y = null, Activation activation = default)
    {
        var check = Check(nameof(BatchNormBackward));
        var (rows, features) = check.Matrix(x, nameof(x));
        if (rows < 2) throw check.Fail(nameof(x), $"has {rows} row(s): training needs more than 1 value per feature");
        check.SameShape(dy, nameof(dy), x, nameof(x));
        check.SameShape(dx, nameof(dx), x, nameof(x));
        CheckFeatureVectors(check, features, (dGamma, nameof(dGamma)), (dBeta, nameof(dBeta)), (gamma, nameof(gamma)),
            (savedMean, nameof(savedMean)), (savedInvStd, nameof(savedInvStd)));
        CheckNormActivation(check, activation);
        if (activation.Kind == ActivationKind.ReLU)
        {
            if (y is null) throw check.Fail(nameof(y), "is required with activation ReLU (the forward's output masks dy)");
            check.SameShape(y, nameof(y), dy, nameof(dy));
            // dx[i] is written after y[i] is read, so y may be dx itself but not a shifted view of it.
            check.SameOrDisjoint(dx, nameof(dx), y, nameof(y));
        }
        if (features > 0)
            BatchNormBackwardCore(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd,
                activation.Kind == ActivationKind.ReLU ? y : null);
    }

    /// <inheritdoc/>
    public void LayerNormForward(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, double eps)
    {
        var check = Check(nameof(LayerNormForward));
        var (rows, features) = check.Matrix(x, nameof(x));
        if (features == 0) throw check.Fail(nameof(x), "has no features (0 columns) to normalise over");
        check.SameShape(y, nameof(y), x, nameof(x));
        CheckFeatureVectors(check, features, (gamma, nameof(gamma)), (beta, nameof(beta)));
        check.Length(savedMean, nameof(savedMean), rows, "one per row of 'x'");
        check.Length(savedInvStd, nameof(savedInvStd), rows, "one per row of 'x'");
        check.Positive(eps, nameof(eps));
        if (rows > 0) LayerNormForwardCore(y, savedMean, savedInvStd, x, gamma, beta, Cast(eps));
    }

    /// <inheritdoc/>
    public void LayerNormBackward(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd)
    {
        var check = Check(nameof(LayerNormBackward));
        var (rows, features) = check.Matrix(x, nameof(x));
        if (features == 0) throw check.Fail(nameof(x), "has no features (0 columns) to normalise over");
        check.SameShape(dy, nameof(dy), x, nameof(x));
        check.SameShape(dx, nameof(dx), x, nameof(x));
        CheckFeatureVectors(check, features, (dGamma, nameof(dGamma)), (dBeta, nameof(dBeta)), (gamma, nameof(gamma)));
        check.Length(savedMean, nameof(savedMean), rows, "one per row of 'x'");
        check.Length(savedInvStd, nameof(savedInvStd), rows, "one per row of 'x'");
        LayerNormBackwardCore(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd);
    }

    /// <inheritdoc/>
    public void GroupNormForward(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, int groups, double eps)
    {
        var check = Check(nameof(GroupNormForward));
        var (rows, features) = check.Matrix(x, nameof(x));
        CheckGroups(check, features, groups);
        check.SameShape(y, nameof(y), x, nameof(x));
        CheckFeatureVectors(check, features, (gamma, nameof(gamma)), (beta, nameof(beta)));
        check.Length(savedMean, nameof(savedMean), rows * groups, "rows × groups");
        check.Length(savedInvStd, nameof(savedInvStd), rows * groups, "rows × groups");
        check.Positive(eps, nameof(eps));
        if (rows > 0) GroupNormForwardCore(y, savedMean, savedInvStd, x, gamma, beta, groups, Cast(eps));
    }

    /// <inheritdoc/>
    public void GroupNormBackward(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups)
    {
        var check = Check(nameof(GroupNormBackward));
        var (rows, features) = check.Matrix(x, nameof(x));
        CheckGroups(check, features, groups);
        check.SameShape(dy, nameof(dy), x, nameof(x));
        check.SameShape(dx, nameof(dx), x, nameof(x));
        CheckFeatureVectors(check, features, (dGamma, nameof(dGamma)), (dBeta, nameof(dBeta)), (gamma, nameof(gamma)));
        check.Length(savedMean, nameof(savedMean), rows * groups, "rows × groups");
        check.Length(savedInvStd, nameof(savedInvStd), rows * groups, "rows × groups");
        GroupNormBackwardCore(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, groups);
    }

    private static void CheckGroups(OpCheck check, int features, int groups)
    {
        if (groups < 1) throw check.Fail(nameof(groups), $"must be >= 1 but is {groups}");
        if (features == 0 || features % groups != 0)
            throw check.Fail(nameof(groups), $"is {groups}, which does not divide the {features} features of 'x' into equal non-empty groups");
    }

    /// <summary>The batch-norm ops fuse only the activation that follows them in practice: ReLU.</summary>
    private static void CheckNormActivation(OpCheck check, Activation activation)
    {
        if (activation.Kind is not (ActivationKind.Identity or ActivationKind.ReLU))
            throw check.Fail(nameof(activation), $"is {activation}: batch norm fuses only Identity or ReLU");
    }

    private static void CheckFeatureVectors(OpCheck check, int features, params ReadOnlySpan<(Tensor<T> Tensor, string Name)> vectors)
    {
        foreach (var (tensor, name) in vectors) check.Length(tensor, name, features, "one per column of 'x'");
    }

    /// <summary>Validated <see cref="BatchNormForwardTraining"/>, N ≥ 2, F ≥ 1; <paramref name="activation"/> is
    /// Identity or ReLU.</summary>
    protected abstract void BatchNormForwardTrainingCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd,
        Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps,
        ActivationKind activation);
    /// <summary>Validated <see cref="BatchNormForwardInference"/>, non-empty; Identity or ReLU.</summary>
    protected abstract void BatchNormForwardInferenceCore(Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta,
        Tensor<T> runningMean, Tensor<T> runningVar, T eps, ActivationKind activation);
    /// <summary>Validated <see cref="BatchNormBackward"/>, N ≥ 2, F ≥ 1; <paramref name="reluOutput"/> is the
    /// forward's post-ReLU output masking dy (dz = y ≤ 0 ? 0 : dy), or null for plain batch norm.</summary>
    protected abstract void BatchNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T>? reluOutput);
    /// <summary>Validated <see cref="LayerNormForward"/>, N ≥ 1, F ≥ 1.</summary>
    protected abstract void LayerNormForwardCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, T eps);
    /// <summary>Validated <see cref="LayerNormBackward"/>, F ≥ 1 (N may be 0: dγ = dβ = 0).</summary>
    protected abstract void LayerNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd);
    /// <summary>Validated <see cref="GroupNormForward"/>, N ≥ 1, G divides F.</summary>
    protected abstract void GroupNormForwardCore(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, int groups, T eps);
    /// <summary>Validated <see cref="GroupNormBackward"/>, G divides F (N may be 0: dγ = dβ = 0).</summary>
    protected abstract void GroupNormBackwardCore(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups);
}
