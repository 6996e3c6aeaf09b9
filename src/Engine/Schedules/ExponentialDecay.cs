namespace CudaNet;

/// <summary>
/// Exponential decay: η(t) = η₀ · γ^(t / decaySteps), or η₀ · γ^⌊t / decaySteps⌋ with <c>staircase</c>
/// (Keras <c>ExponentialDecay</c>). With <c>decaySteps = 1</c> both are PyTorch <c>ExponentialLR</c>:
/// η(t) = η₀ · γ^t.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="gamma">Decay factor γ per <paramref name="decaySteps"/> steps (finite, &gt; 0).</param>
    /// <param name="decaySteps">Steps over which the rate is multiplied by γ (≥ 1).</param>
    /// <param name="staircase">Decay in whole periods (⌊t / decaySteps⌋) instead of continuously.</param>
    public ExponentialDecay(double gamma, long decaySteps = 1, bool staircase = false)
    {
        Gamma = RequirePositive(gamma);
        DecaySteps = RequirePositive(decaySteps);
        Staircase = staircase;
    }

    /// <summary>Decay factor γ per <see cref="DecaySteps"/> steps.</summary>
    public double Gamma { get; }

    /// <summary>Steps over which the rate is multiplied by γ.</summary>
    public long DecaySteps { get; }

    /// <summary>Whether the exponent is ⌊t / decaySteps⌋ (true) or t / decaySteps (false).</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    protected override double Compute(long step, double baseLr)
    {
        double exponent = Staircase ? step / DecaySteps : (double)step / DecaySteps;
        return baseLr * Math.Pow(Gamma, exponent);
    }
}
