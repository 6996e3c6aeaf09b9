namespace CudaNet;

/// <summary>
/// Linear warm-up, PyTorch <c>LinearLR</c> with <c>end_factor = 1</c>, optionally followed by another schedule
/// (PyTorch <c>SequentialLR</c> with the milestone at the end of the warm-up):
/// η(t) = η₀ · (s + (1 − s) · t / W) for t &lt; W, then η(t) = then(t − W), or η₀ when there is no
/// <c>then</c> schedule; s is the start factor and W the number of warm-up steps.
/// </summary>
/// <example><code>new LinearWarmup(steps: 5, then: new CosineAnnealing(tMax: 10))</code></example>
public sealed class LinearWarmup : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="steps">W, the number of warm-up steps (≥ 1; PyTorch's <c>total_iters</c>, default 5).</param>
    /// <param name="startFactor">s, the fraction of η₀ at step 0 (in (0, 1]; PyTorch default 1/3).</param>
    /// <param name="then">Schedule for steps t ≥ W, started at its own step 0; null keeps η₀.</param>
    public LinearWarmup(long steps = 5, double startFactor = 1.0 / 3, LearningRateSchedule? then = null)
    {
        Steps = RequirePositive(steps);
        StartFactor = RequirePositive(startFactor);
        if (startFactor > 1)
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor,
                $"{nameof(LinearWarmup)}: startFactor must be at most 1.");
        Then = then;
    }

    /// <summary>W, the number of warm-up steps.</summary>
    public long Steps { get; }

    /// <summary>s, the fraction of η₀ at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>Schedule for steps t ≥ W (null: constant η₀).</summary>
    public LearningRateSchedule? Then { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr)
    {
        if (step >= Steps) return Then?.LearningRate(step - Steps, baseLr) ?? baseLr;
        return baseLr * (StartFactor + (1.0 - StartFactor) * step / Steps);
    }
}
