namespace CudaNet;

/// <summary>
/// Polynomial decay to zero, PyTorch <c>PolynomialLR</c>:
/// η(t) = η₀ · (1 − min(t, totalIters) / totalIters)^power, so η(t) = 0 for t ≥ totalIters.
/// </summary>
public sealed class PolynomialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="totalIters">Steps until the rate reaches zero (≥ 1; PyTorch default 5).</param>
    /// <param name="power">Power of the polynomial (finite, &gt; 0; PyTorch default 1, linear).</param>
    public PolynomialDecay(long totalIters = 5, double power = 1.0)
    {
        TotalIters = RequirePositive(totalIters);
        Power = RequirePositive(power);
    }

    /// <summary>Steps until the rate reaches zero.</summary>
    public long TotalIters { get; }

    /// <summary>Power of the polynomial.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr) =>
        baseLr * Math.Pow(1.0 - (double)Math.Min(TotalIters, step) / TotalIters, Power);
}
