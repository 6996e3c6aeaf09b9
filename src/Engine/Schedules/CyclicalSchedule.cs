namespace CudaNet;

/// <summary>How the amplitude of a <see cref="CyclicalSchedule"/> changes (PyTorch <c>CyclicLR</c>'s <c>mode</c>).</summary>
public enum CyclicalMode
{
    /// <summary>Constant amplitude: scale 1.</summary>
    Triangular,
    /// <summary>Amplitude halved every cycle: scale 1 / 2^(c − 1) in cycle c = 1, 2, ….</summary>
    Triangular2,
    /// <summary>Amplitude decays per step: scale γ^t.</summary>
    ExpRange,
}

/// <summary>
/// Cyclical learning rate (Smith 2017), PyTorch <c>CyclicLR</c>: the rate rises linearly from
/// <c>baseLr</c> to <c>maxLr</c> over <c>stepSizeUp</c> steps, falls back over <c>stepSizeDown</c> steps, and
/// repeats: with L = up + down, cycle c = ⌊t / L⌋ + 1 and position p = t mod L,
/// η(t) = baseLr + (maxLr − baseLr) · h(p) · scale, where h(p) = p / up for p ≤ up and (L − p) / down
/// otherwise, and scale depends on <see cref="CyclicalMode"/>.
/// </summary>
/// <remarks>
/// As in PyTorch, the rates are absolute: the optimizer's initial learning rate passed to
/// <see cref="LearningRateSchedule.LearningRate"/> is ignored. Momentum cycling (PyTorch's
/// <c>cycle_momentum</c>) is not part of a learning-rate schedule.
/// </remarks>
public sealed class CyclicalSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="baseLr">Lower bound of the cycle (finite, ≥ 0).</param>
    /// <param name="maxLr">Upper bound of the cycle (finite, ≥ <paramref name="baseLr"/>).</param>
    /// <param name="stepSizeUp">Steps of the rising half (≥ 1; PyTorch default 2000).</param>
    /// <param name="stepSizeDown">Steps of the falling half (≥ 1); null means <paramref name="stepSizeUp"/>.</param>
    /// <param name="mode">Amplitude policy (PyTorch default triangular).</param>
    /// <param name="gamma">γ of <see cref="CyclicalMode.ExpRange"/> (finite, in (0, 1]; PyTorch default 1).</param>
    public CyclicalSchedule(double baseLr, double maxLr, long stepSizeUp = 2000, long? stepSizeDown = null,
        CyclicalMode mode = CyclicalMode.Triangular, double gamma = 1.0)
    {
        BaseLr = RequireNonNegative(baseLr);
        MaxLr = RequireNonNegative(maxLr);
        if (maxLr < baseLr)
            throw new ArgumentOutOfRangeException(nameof(maxLr), maxLr,
                $"{nameof(CyclicalSchedule)}: maxLr must be at least baseLr ({baseLr}).");
        StepSizeUp = RequirePositive(stepSizeUp);
        StepSizeDown = stepSizeDown is { } down ? RequirePositive(down, nameof(stepSizeDown)) : stepSizeUp;
        if (StepSizeUp > long.MaxValue - StepSizeDown)
            throw new ArgumentOutOfRangeException(nameof(stepSizeDown), StepSizeDown,
                $"{nameof(CyclicalSchedule)}: stepSizeUp + stepSizeDown overflows.");
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"{nameof(CyclicalSchedule)}: unknown mode.");
        Mode = mode;
        Gamma = RequirePositive(gamma);
        if (gamma > 1)
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"{nameof(CyclicalSchedule)}: gamma must be at most 1.");
    }

    /// <summary>Lower bound of the cycle.</summary>
    public double BaseLr { get; }

    /// <summary>Upper bound of the cycle.</summary>
    public double MaxLr { get; }

    /// <summary>Steps of the rising half.</summary>
    public long StepSizeUp { get; }

    /// <summary>Steps of the falling half.</summary>
    public long StepSizeDown { get; }

    /// <summary>Amplitude policy.</summary>
    public CyclicalMode Mode { get; }

    /// <summary>γ of <see cref="CyclicalMode.ExpRange"/>.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr)
    {
        long length = StepSizeUp + StepSizeDown;
        long cycle = step / length + 1, position = step % length;
        double height = position <= StepSizeUp
            ? (double)position / StepSizeUp
            : (double)(length - position) / StepSizeDown;
        double scale = Mode switch
        {
            CyclicalMode.Triangular => 1.0,
            CyclicalMode.Triangular2 => 1.0 / Math.Pow(2.0, cycle - 1),
            _ => Math.Pow(Gamma, step),
        };
        return BaseLr + (MaxLr - BaseLr) * height * scale;
    }
}
