namespace CudaNet;

/// <summary>The penalties one parameter group's update applies, as <see cref="UpdateStep"/> carries them.</summary>
/// <param name="L1">L1 penalty λ₁ (adds λ₁·sign(w)), &gt;= 0.</param>
/// <param name="L2">L2 penalty λ₂ (adds λ₂·w; PyTorch's coupled weight decay included), &gt;= 0.</param>
/// <param name="WeightDecay">Decoupled weight decay (<c>w *= 1 - lr·WeightDecay</c>), &gt;= 0.</param>
public readonly record struct GroupPenalties(double L1 = 0, double L2 = 0, double WeightDecay = 0);

/// <summary>
/// Everything <see cref="IBackend{T}.BeginStep"/> needs, besides the step's scalars, to turn a training step into
/// the coefficient records of the fused updates: the optimizer's settings (one of <see cref="SgdSettings"/>,
/// <see cref="AdagradSettings"/>, <see cref="AdadeltaSettings"/>, <see cref="RmsPropSettings"/>,
/// <see cref="AdamSettings"/>, <see cref="AdamaxSettings"/>, <see cref="NadamSettings"/>; its type picks the
/// update), the penalties of every parameter group, and gradient clipping.
/// </summary>
/// <param name="Settings">The settings the update runs with, exactly as the host-scalar update would get them.</param>
/// <param name="Groups">Per parameter group, in order: its penalties.</param>
/// <param name="MaxGradNorm">Clip the global gradient norm ‖g‖ to this (PyTorch's <c>clip_grad_norm_</c>: the
/// factor is max/(‖g‖ + 1e-6) when ‖g‖ &gt; max); null: no clipping.</param>
/// <param name="EpsOverBiasCorrection">Adam only: the eps of step t is <c>eps/√(1 - β₂^t)</c> (Keras' form of
/// Adam, see <see cref="Adam"/>).</param>
public sealed record UpdatePlan(object Settings, IReadOnlyList<GroupPenalties> Groups, double? MaxGradNorm = null,
    bool EpsOverBiasCorrection = false)
{
    /// <summary>The update <see cref="Settings"/> selects.</summary>
    internal UpdateRule Rule => Settings switch
    {
        SgdSettings => UpdateRule.Sgd,
        AdagradSettings => UpdateRule.Adagrad,
        AdadeltaSettings => UpdateRule.Adadelta,
        RmsPropSettings => UpdateRule.RmsProp,
        AdamSettings => UpdateRule.Adam,
        AdamaxSettings => UpdateRule.Adamax,
        NadamSettings => UpdateRule.Nadam,
        _ => throw new ArgumentException($"UpdatePlan: unknown optimizer settings {Settings?.GetType().Name ?? "null"}.", nameof(Settings)),
    };

    /// <summary>The hyperparameters <c>begin_step</c> reads, in its order (kernels.cu, "step control").</summary>
    internal double[] Hyperparameters => Settings switch
    {
        SgdSettings s => [s.Momentum, s.Dampening, 0, 0],
        AdagradSettings s => [s.LrDecay, s.Eps, 0, 0],
        AdadeltaSettings s => [s.Rho, s.Eps, 0, 0],
        RmsPropSettings s => [s.Alpha, s.Eps, s.Momentum, 0],
        AdamSettings s => [s.Beta1, s.Beta2, s.Eps, 0],
        AdamaxSettings s => [s.Beta1, s.Beta2, s.Eps, 0],
        NadamSettings s => [s.Beta1, s.Beta2, s.Eps, 0],
        _ => throw new ArgumentException($"UpdatePlan: unknown optimizer settings {Settings?.GetType().Name ?? "null"}.", nameof(Settings)),
    };

    /// <summary>The settings' first value outside what the host-scalar update accepts (BackendBase.Optimizers.cs), or
    /// null when they are valid.</summary>
    internal string? SettingsProblem() => Settings switch
    {
        SgdSettings s when !(s.Momentum >= 0 && s.Dampening >= 0 && double.IsFinite(s.Momentum + s.Dampening)) =>
            "SGD momentum and dampening must be finite and >= 0",
        SgdSettings { Nesterov: true } s when !(s.Momentum > 0 && s.Dampening == 0) => "SGD Nesterov requires momentum > 0 and zero dampening",
        AdagradSettings s when !(s.LrDecay >= 0 && s.Eps >= 0 && double.IsFinite(s.LrDecay + s.Eps)) => "Adagrad lr decay and eps must be finite and >= 0",
        AdadeltaSettings s when !(s.Rho is >= 0 and <= 1 && s.Eps >= 0 && double.IsFinite(s.Eps)) => "Adadelta needs rho in [0, 1] and eps >= 0",
        RmsPropSettings s when !(s.Alpha >= 0 && s.Eps >= 0 && s.Momentum >= 0 && double.IsFinite(s.Alpha + s.Eps + s.Momentum)) =>
            "RMSprop alpha, eps and momentum must be finite and >= 0",
        RmsPropSettings { Nesterov: true, Momentum: <= 0 } => "RMSprop Nesterov requires momentum > 0",
        AdamSettings s when !Betas(s.Beta1, s.Beta2, s.Eps) => "Adam needs betas in [0, 1) and eps >= 0",
        AdamaxSettings s when !Betas(s.Beta1, s.Beta2, s.Eps) => "Adamax needs betas in [0, 1) and eps >= 0",
        NadamSettings s when !Betas(s.Beta1, s.Beta2, s.Eps) || !(s.MomentumDecay >= 0 && double.IsFinite(s.MomentumDecay)) =>
            "NAdam needs betas in [0, 1), eps >= 0 and momentum decay >= 0",
        _ => null,
    };

    private static bool Betas(double beta1, double beta2, double eps) =>
        beta1 is >= 0 and < 1 && beta2 is >= 0 and < 1 && eps >= 0 && double.IsFinite(eps);

    /// <summary>The powers of step <paramref name="t"/> the device takes from the host (it never computes pow):
    /// Adam β₁^t, β₂^t; Adamax β₁^t; NAdam β₂^t, μ_t, μ_{t+1}; zeros for the others.</summary>
    internal (double, double, double) Powers(long t) => Settings switch
    {
        AdamSettings s => (Math.Pow(s.Beta1, t), Math.Pow(s.Beta2, t), 0),
        AdamaxSettings s => (Math.Pow(s.Beta1, t), 0, 0),
        NadamSettings s => (Math.Pow(s.Beta2, t), s.Mu(t), s.Mu(t + 1)),
        _ => (0, 0, 0),
    };
}

/// <summary>The fused updates, in the order of the <c>rule</c> code <c>begin_step</c> reads.</summary>
internal enum UpdateRule
{
    Sgd,
    Adagrad,
    Adadelta,
    RmsProp,
    Adam,
    Adamax,
    Nadam,
}
