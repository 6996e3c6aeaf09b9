namespace CudaNet;

/// <summary>
/// Cosine annealing with warm restarts (SGDR, Loshchilov &amp; Hutter 2017), PyTorch
/// <c>CosineAnnealingWarmRestarts</c>: η(t) = η_min + (η₀ − η_min) · (1 + cos(π T_cur / T_i)) / 2.
/// </summary>
/// <remarks>
/// Cycle i lasts T_i = T_0 · T_mult^i steps and starts at S_i = T_0 + T_0·T_mult + … (S_0 = 0), which is
/// i·T_0 when T_mult = 1 and T_0 (T_mult^i − 1) / (T_mult − 1) otherwise; T_cur = t − S_i for the cycle with
/// S_i ≤ t &lt; S_(i+1). The cycle is found in integer arithmetic (at most 63 cycles fit in a <see cref="long"/>
/// when T_mult ≥ 2), so every restart lands exactly on its step and η(S_i) = η₀ — unlike PyTorch's
/// <c>step(epoch)</c>, which finds the cycle with a floating-point logarithm; PyTorch's plain <c>step()</c>
/// counts T_cur in integers and agrees with this exactly.
/// </remarks>
public sealed class CosineWarmRestarts : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="t0">T_0, the length of the first cycle in steps (≥ 1).</param>
    /// <param name="tMult">T_mult, the factor by which each cycle is longer than the previous one
    /// (≥ 1; PyTorch default 1).</param>
    /// <param name="etaMin">η_min, the minimum learning rate (finite, ≥ 0; PyTorch default 0).</param>
    public CosineWarmRestarts(long t0, long tMult = 1, double etaMin = 0)
    {
        T0 = RequirePositive(t0);
        TMult = RequirePositive(tMult);
        EtaMin = RequireNonNegative(etaMin);
    }

    /// <summary>T_0, the length of the first cycle in steps.</summary>
    public long T0 { get; }

    /// <summary>T_mult, the growth factor of the cycle length.</summary>
    public long TMult { get; }

    /// <summary>η_min, the minimum learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr)
    {
        var (position, length) = Cycle(step);
        return EtaMin + (baseLr - EtaMin) * (1 + Math.Cos(Math.PI * position / length)) / 2;
    }

    /// <summary>T_cur and T_i at step t: the position inside the current cycle and that cycle's length.</summary>
    public (long Position, double Length) Cycle(long step)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step,
                $"{nameof(CosineWarmRestarts)}: step must be non-negative.");
        if (TMult == 1) return (step % T0, T0);
        long position = step, length = T0;
        while (position >= length && length <= long.MaxValue / TMult)
        {
            position -= length;
            length *= TMult;
        }
        if (position < length) return (position, length);
        // The next cycle is longer than long.MaxValue ≥ step, so it is the last one this step can reach.
        return (position - length, (double)length * TMult);
    }
}
