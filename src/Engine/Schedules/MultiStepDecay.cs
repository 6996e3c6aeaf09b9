namespace CudaNet;

/// <summary>
/// Decay at milestones, PyTorch <c>MultiStepLR</c>: η(t) = η₀ · γ^k(t), where k(t) is the number of milestones
/// m with m ≤ t.
/// </summary>
public sealed class MultiStepDecay : LearningRateSchedule
{
    private readonly long[] _milestones;

    /// <summary>Creates the schedule.</summary>
    /// <param name="milestones">Steps at which the rate is multiplied by γ (≥ 0, strictly increasing).</param>
    /// <param name="gamma">Multiplicative factor γ per milestone (finite, &gt; 0; PyTorch default 0.1).</param>
    public MultiStepDecay(IEnumerable<long> milestones, double gamma = 0.1)
    {
        _milestones = RequireIncreasing(milestones, minimum: 0);
        Gamma = RequirePositive(gamma);
    }

    /// <summary>Steps at which the rate is multiplied by γ, ascending.</summary>
    public IReadOnlyList<long> Milestones => _milestones;

    /// <summary>Multiplicative factor γ per milestone.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr) =>
        baseLr * Math.Pow(Gamma, CountReached(_milestones, step));
}
