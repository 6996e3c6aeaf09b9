namespace CudaNet;

/// <summary>
/// Cosine annealing, PyTorch <c>CosineAnnealingLR</c> (closed form):
/// η(t) = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2.
/// </summary>
/// <remarks>
/// The rate reaches η_min at t = T_max. Past T_max the formula keeps following the cosine, rising back to η₀
/// at 2·T_max, exactly as PyTorch does; use <see cref="CosineWarmRestarts"/> for restarts, or a
/// <see cref="SequentialSchedule"/> to hold η_min.
/// </remarks>
public sealed class CosineAnnealing : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="tMax">T_max, the half period in steps (≥ 1).</param>
    /// <param name="etaMin">η_min, the minimum learning rate (finite, ≥ 0; PyTorch default 0).</param>
    public CosineAnnealing(long tMax, double etaMin = 0)
    {
        TMax = RequirePositive(tMax);
        EtaMin = RequireNonNegative(etaMin);
    }

    /// <summary>T_max, the half period in steps.</summary>
    public long TMax { get; }

    /// <summary>η_min, the minimum learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr) =>
        EtaMin + (baseLr - EtaMin) * (1 + Math.Cos(Math.PI * step / TMax)) / 2;
}
