namespace CudaNet;

/// <summary>
/// Step decay, PyTorch <c>StepLR</c>: η(t) = η₀ · γ^⌊t / stepSize⌋ — the rate is multiplied by γ every
/// <c>stepSize</c> steps.
/// </summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="stepSize">Period of the decay in steps (≥ 1).</param>
    /// <param name="gamma">Multiplicative factor γ per period (finite, &gt; 0; PyTorch default 0.1).</param>
    public StepDecay(long stepSize, double gamma = 0.1)
    {
        StepSize = RequirePositive(stepSize);
        Gamma = RequirePositive(gamma);
    }

    /// <summary>Period of the decay in steps.</summary>
    public long StepSize { get; }

    /// <summary>Multiplicative factor γ per period.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr) => baseLr * Math.Pow(Gamma, step / StepSize);
}
