namespace CudaNet;

/// <summary>
/// Schedules one after another, PyTorch <c>SequentialLR</c>: with milestones m_1 &lt; … &lt; m_(n−1) and
/// m_0 = 0, η(t) = schedule_k(t − m_k), where k is the number of milestones ≤ t — each schedule starts at its
/// own step 0 at its milestone.
/// </summary>
/// <example>Warm up for 5 steps, hold for 5, then anneal over 20:
/// <code>new SequentialSchedule([new LinearWarmup(5), new ConstantSchedule(), new CosineAnnealing(20)], [5, 10])</code>
/// </example>
public sealed class SequentialSchedule : LearningRateSchedule
{
    private readonly LearningRateSchedule[] _schedules;
    private readonly long[] _milestones;

    /// <summary>Creates the schedule.</summary>
    /// <param name="schedules">The schedules in order (at least one, none null).</param>
    /// <param name="milestones">The steps at which the next schedule takes over: one fewer than the schedules,
    /// ≥ 1 and strictly increasing.</param>
    public SequentialSchedule(IReadOnlyList<LearningRateSchedule> schedules, IEnumerable<long> milestones)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Count == 0)
            throw new ArgumentException($"{nameof(SequentialSchedule)}: schedules must not be empty.", nameof(schedules));
        for (int i = 0; i < schedules.Count; i++)
            if (schedules[i] is null)
                throw new ArgumentException($"{nameof(SequentialSchedule)}: schedules[{i}] is null.", nameof(schedules));
        _schedules = [.. schedules];
        _milestones = RequireIncreasing(milestones, minimum: 1);
        if (_milestones.Length != _schedules.Length - 1)
            throw new ArgumentException($"{nameof(SequentialSchedule)}: milestones must have one entry fewer than schedules " +
                                        $"({_schedules.Length}), but has {_milestones.Length}.", nameof(milestones));
    }

    /// <summary>The schedules in order.</summary>
    public IReadOnlyList<LearningRateSchedule> Schedules => _schedules;

    /// <summary>The steps at which the next schedule takes over.</summary>
    public IReadOnlyList<long> Milestones => _milestones;

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr)
    {
        int k = CountReached(_milestones, step);
        long start = k == 0 ? 0 : _milestones[k - 1];
        return _schedules[k].LearningRate(step - start, baseLr);
    }
}
