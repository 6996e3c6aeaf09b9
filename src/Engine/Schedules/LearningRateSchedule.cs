using System.Runtime.CompilerServices;

namespace CudaNet;

/// <summary>
/// A learning-rate schedule: a pure function <c>η(t)</c> of the step number <c>t</c>, so a resumed run gets
/// exactly the learning rates of an uninterrupted one.
/// </summary>
/// <remarks>
/// <para><c>t</c> is the 0-based number of scheduler steps taken so far, exactly PyTorch's <c>last_epoch</c>:
/// <c>t = 0</c> is the learning rate of the first update. Whether a step is an epoch or a batch is the
/// caller's choice; the schedule only maps the integer <c>t</c> to a learning rate.</para>
/// <para><c>baseLr</c> (η₀) is the optimizer's initial learning rate (PyTorch's <c>initial_lr</c>). Every schedule
/// follows PyTorch's closed form where PyTorch has the schedule; PyTorch's recursive (chainable) forms agree
/// with these up to rounding.</para>
/// <para>Hyperparameters are validated in the constructor; a bad one throws
/// <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/>) whose message names the
/// schedule and the argument.</para>
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate η(t) at step <paramref name="step"/> for the initial learning rate
    /// η₀ = <paramref name="baseLr"/>.</summary>
    /// <param name="step">0-based number of scheduler steps taken so far (t ≥ 0).</param>
    /// <param name="baseLr">Initial learning rate η₀ (finite, ≥ 0).</param>
    public double LearningRate(long step, double baseLr)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"{Name}: step must be non-negative.");
        if (!double.IsFinite(baseLr) || baseLr < 0)
            throw new ArgumentOutOfRangeException(nameof(baseLr), baseLr,
                $"{Name}: baseLr must be finite and non-negative.");
        return Compute(step, baseLr);
    }

    /// <summary>η(t); <paramref name="step"/> ≥ 0 and <paramref name="baseLr"/> finite and ≥ 0 are already checked.</summary>
    protected abstract double Compute(long step, double baseLr);

    private string Name => GetType().Name;

    /// <summary>Checks a count hyperparameter is ≥ 1.</summary>
    private protected long RequirePositive(long value, [CallerArgumentExpression(nameof(value))] string name = "") =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{Name}: {name} must be at least 1.");

    /// <summary>Checks a factor hyperparameter is finite and &gt; 0.</summary>
    private protected double RequirePositive(double value, [CallerArgumentExpression(nameof(value))] string name = "") =>
        double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{Name}: {name} must be finite and positive.");

    /// <summary>Checks a learning-rate hyperparameter is finite and ≥ 0.</summary>
    private protected double RequireNonNegative(double value, [CallerArgumentExpression(nameof(value))] string name = "") =>
        double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{Name}: {name} must be finite and non-negative.");

    /// <summary>Checks milestones are ≥ <paramref name="minimum"/> and strictly increasing; returns a private copy.</summary>
    private protected long[] RequireIncreasing(IEnumerable<long> milestones, long minimum,
        [CallerArgumentExpression(nameof(milestones))] string name = "")
    {
        ArgumentNullException.ThrowIfNull(milestones, name);
        long[] copy = [.. milestones];
        for (int i = 0; i < copy.Length; i++)
        {
            if (copy[i] < minimum)
                throw new ArgumentOutOfRangeException(name, copy[i], $"{Name}: {name}[{i}] must be at least {minimum}.");
            if (i > 0 && copy[i] <= copy[i - 1])
                throw new ArgumentException($"{Name}: {name} must be strictly increasing ({name}[{i}] = {copy[i]} " +
                                            $"follows {copy[i - 1]}).", name);
        }
        return copy;
    }

    /// <summary>How many of the ascending <paramref name="milestones"/> are ≤ <paramref name="step"/>
    /// (Python's <c>bisect_right</c>).</summary>
    private protected static int CountReached(long[] milestones, long step)
    {
        int lo = 0, hi = milestones.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (milestones[mid] <= step) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
