using System.Numerics;

namespace CudaNet;

// Per-call scalars of the fused optimizer updates. They are computed once per call on the host in double, with
// the same expressions (and the same evaluation order) as PyTorch 1.13's torch/optim/*.py, and only then rounded
// to the element type T, exactly as PyTorch rounds a Python float when it passes it to a float32 kernel. Every
// backend (the CPU kernels now, the CUDA launchers later) takes these records, so the per-element work is the
// only thing a kernel decides.

/// <summary>
/// What <see cref="UpdateStep"/> adds to every optimizer: the gradient penalties
/// <c>g' = f·g + L1·sign(w) + L2·w</c> and the decoupled decay factor <c>w *= 1 - lr·WeightDecay</c>.
/// </summary>
/// <param name="L1">λ₁ in T.</param>
/// <param name="L2">λ₂ in T.</param>
/// <param name="DecayFactor"><c>1 - lr·WeightDecay</c> (exactly 1 without decay, so multiplying is harmless).</param>
/// <param name="PenalizesGradient">Whether L1 or L2 is non-zero; without penalties the gradient is used as it is.</param>
/// <param name="GradientFactor">f, the step's gradient factor (1 or the clip coefficient), applied as one rounded
/// multiply before the penalties: the bits of <see cref="IBackend{T}.Scale"/> followed by the update.</param>
/// <param name="ScalesGradient">Whether f is applied: only the updates that read a <see cref="StepControl{T}"/>
/// do (the host-scalar updates get clipped gradients from the caller).</param>
internal readonly record struct PenaltyCoefficients<T>(T L1, T L2, T DecayFactor, bool PenalizesGradient, T GradientFactor,
    bool ScalesGradient)
    where T : IFloatingPointIeee754<T>
{
    public static PenaltyCoefficients<T> From(UpdateStep step) => new(
        T.CreateTruncating(step.L1), T.CreateTruncating(step.L2),
        T.CreateTruncating(1 - step.LearningRate * step.WeightDecay), step.L1 != 0 || step.L2 != 0, T.One, ScalesGradient: false);
}

/// <summary>SGD: <c>b = μb + (1-τ)g</c> (b = g on step 1), Nesterov steps with <c>g + μb</c>, <c>w += (-lr)·d</c>.</summary>
internal readonly record struct SgdCoefficients<T>(
    PenaltyCoefficients<T> Penalty, T NegativeLr, T Momentum, T OneMinusDampening, bool UsesMomentum, bool Nesterov,
    bool FirstStep)
    where T : IFloatingPointIeee754<T>
{
    public static SgdCoefficients<T> From(SgdSettings settings, UpdateStep step) => new(
        PenaltyCoefficients<T>.From(step), T.CreateTruncating(-step.LearningRate), T.CreateTruncating(settings.Momentum),
        T.CreateTruncating(1 - settings.Dampening), settings.Momentum != 0, settings.Nesterov, step.Step == 1);
}

/// <summary>Adagrad: <c>clr = lr / (1 + (t-1)·lrDecay)</c>; <c>s += g²</c>, <c>w += (-clr)·g/(√s + eps)</c>.</summary>
internal readonly record struct AdagradCoefficients<T>(PenaltyCoefficients<T> Penalty, T NegativeClr, T Eps)
    where T : IFloatingPointIeee754<T>
{
    public static AdagradCoefficients<T> From(AdagradSettings settings, UpdateStep step) => new(
        PenaltyCoefficients<T>.From(step),
        T.CreateTruncating(-(step.LearningRate / (1 + (step.Step - 1) * settings.LrDecay))),
        T.CreateTruncating(settings.Eps));
}

/// <summary>Adadelta: ρ, 1-ρ, eps and -lr.</summary>
internal readonly record struct AdadeltaCoefficients<T>(PenaltyCoefficients<T> Penalty, T Rho, T OneMinusRho, T Eps, T NegativeLr)
    where T : IFloatingPointIeee754<T>
{
    public static AdadeltaCoefficients<T> From(AdadeltaSettings settings, UpdateStep step) => new(
        PenaltyCoefficients<T>.From(step), T.CreateTruncating(settings.Rho), T.CreateTruncating(1 - settings.Rho),
        T.CreateTruncating(settings.Eps), T.CreateTruncating(-step.LearningRate));
}

/// <summary>RMSprop: α, 1-α, eps, μ and -lr, with the centered / momentum / Nesterov switches.</summary>
internal readonly record struct RmsPropCoefficients<T>(
    PenaltyCoefficients<T> Penalty, T Alpha, T OneMinusAlpha, T Eps, T Momentum, T NegativeLr, bool Centered,
    bool UsesMomentum, bool Nesterov)
    where T : IFloatingPointIeee754<T>
{
    public static RmsPropCoefficients<T> From(RmsPropSettings settings, UpdateStep step) => new(
        PenaltyCoefficients<T>.From(step), T.CreateTruncating(settings.Alpha), T.CreateTruncating(1 - settings.Alpha),
        T.CreateTruncating(settings.Eps), T.CreateTruncating(settings.Momentum), T.CreateTruncating(-step.LearningRate),
        settings.Centered, settings.Momentum > 0, settings.Nesterov);
}

/// <summary>
/// Adam / AMSGrad / AdamW: the moment rates and, from <c>bc = 1 - β^t</c>, <c>-(lr/bc₁)</c> and <c>√bc₂</c>
/// (PyTorch divides <c>√v</c> by <c>√bc₂</c> rather than multiplying by its inverse).
/// </summary>
internal readonly record struct AdamCoefficients<T>(
    PenaltyCoefficients<T> Penalty, T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T NegativeStepSize,
    T BiasCorrection2Sqrt, T Eps, bool Amsgrad)
    where T : IFloatingPointIeee754<T>
{
    public static AdamCoefficients<T> From(AdamSettings settings, UpdateStep step)
    {
        double biasCorrection1 = 1 - Math.Pow(settings.Beta1, step.Step);
        double biasCorrection2 = 1 - Math.Pow(settings.Beta2, step.Step);
        return new(PenaltyCoefficients<T>.From(step), T.CreateTruncating(settings.Beta1), T.CreateTruncating(1 - settings.Beta1),
            T.CreateTruncating(settings.Beta2), T.CreateTruncating(1 - settings.Beta2),
            T.CreateTruncating(-(step.LearningRate / biasCorrection1)), T.CreateTruncating(Math.Sqrt(biasCorrection2)),
            T.CreateTruncating(settings.Eps), settings.Amsgrad);
    }
}

/// <summary>Adamax: the moment rates, eps and <c>-(lr/bc₁)</c>.</summary>
internal readonly record struct AdamaxCoefficients<T>(
    PenaltyCoefficients<T> Penalty, T Beta1, T OneMinusBeta1, T Beta2, T Eps, T NegativeClr)
    where T : IFloatingPointIeee754<T>
{
    public static AdamaxCoefficients<T> From(AdamaxSettings settings, UpdateStep step) => new(
        PenaltyCoefficients<T>.From(step), T.CreateTruncating(settings.Beta1), T.CreateTruncating(1 - settings.Beta1),
        T.CreateTruncating(settings.Beta2), T.CreateTruncating(settings.Eps),
        T.CreateTruncating(-(step.LearningRate / (1 - Math.Pow(settings.Beta1, step.Step)))));
}

/// <summary>
/// NAdam: the moment rates, <c>bc₂</c>, eps and the two step sizes
/// <c>-lr(1-μ_t)/(1-Πμ)</c> (on g) and <c>-lr·μ_{t+1}/(1-Πμ·μ_{t+1})</c> (on m).
/// </summary>
internal readonly record struct NadamCoefficients<T>(
    PenaltyCoefficients<T> Penalty, T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T BiasCorrection2, T Eps,
    T GradientStep, T AverageStep)
    where T : IFloatingPointIeee754<T>
{
    /// <param name="settings">The optimizer settings.</param>
    /// <param name="step">This step.</param>
    /// <param name="muProduct">Π_{i=1..t} μ_i including this step.</param>
    public static NadamCoefficients<T> From(NadamSettings settings, UpdateStep step, double muProduct)
    {
        double mu = settings.Mu(step.Step), muNext = settings.Mu(step.Step + 1);
        double lr = step.LearningRate;
        return new(PenaltyCoefficients<T>.From(step), T.CreateTruncating(settings.Beta1), T.CreateTruncating(1 - settings.Beta1),
            T.CreateTruncating(settings.Beta2), T.CreateTruncating(1 - settings.Beta2),
            T.CreateTruncating(1 - Math.Pow(settings.Beta2, step.Step)), T.CreateTruncating(settings.Eps),
            T.CreateTruncating(-lr * (1 - mu) / (1 - muProduct)), T.CreateTruncating(-lr * muNext / (1 - muProduct * muNext)));
    }
}
