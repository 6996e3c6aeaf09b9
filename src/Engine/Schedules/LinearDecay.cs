namespace CudaNet;

/// <summary>
/// Linear decay to a final rate (Goodfellow et al., <i>Deep Learning</i>, §8.3.1): with α = t / τ,
/// η(t) = (1 − α)·η₀ + α·η_τ for t ≤ τ, and η(t) = η_τ for t ≥ τ.
/// </summary>
/// <remarks>
/// η_τ is an absolute learning rate (like <see cref="CosineAnnealing.EtaMin"/>); the book suggests about 1% of η₀.
/// PyTorch has no scheduler with an absolute end rate (its <c>LinearLR</c> takes factors).
/// </remarks>
public sealed class LinearDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="decaySteps">τ, the step at which the rate reaches <paramref name="finalLr"/> (≥ 1).</param>
    /// <param name="finalLr">η_τ, the rate from step τ on (finite, ≥ 0).</param>
    public LinearDecay(long decaySteps, double finalLr)
    {
        DecaySteps = RequirePositive(decaySteps);
        FinalLr = RequireNonNegative(finalLr);
    }

    /// <summary>τ, the step at which the rate reaches <see cref="FinalLr"/>.</summary>
    public long DecaySteps { get; }

    /// <summary>η_τ, the rate from step τ on.</summary>
    public double FinalLr { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr)
    {
        if (step >= DecaySteps) return FinalLr;
        double alpha = (double)step / DecaySteps;
        return (1 - alpha) * baseLr + alpha * FinalLr;
    }
}
