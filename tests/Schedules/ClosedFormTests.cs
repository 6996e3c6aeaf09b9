using NUnit.Framework;

namespace CudaNet.Tests.Schedules;

/// <summary>
/// Each schedule's closed form at hand-computed steps; the only checks of ExponentialDecay's staircase with
/// decaySteps &gt; 1 and of LinearDecay, which have no PyTorch counterpart.
/// </summary>
public sealed class ClosedFormTests
{
    private const double Rtol = 1e-15;

    private static void AssertRates(LearningRateSchedule schedule, double baseLr, params (long Step, double Rate)[] expected)
    {
        foreach (var (step, rate) in expected)
            Assert.That(schedule.LearningRate(step, baseLr), Is.EqualTo(rate).Within(Rtol * Math.Abs(rate)),
                $"{schedule.GetType().Name} at t = {step}");
    }

    [Test]
    public void ConstantKeepsTheBaseRate() =>
        AssertRates(new ConstantSchedule(), 0.3, (0, 0.3), (1, 0.3), (1_000_000_000_000, 0.3));

    [Test]
    public void StepDecayMultipliesByGammaEveryPeriod() =>
        AssertRates(new StepDecay(stepSize: 3, gamma: 0.1), 2.0,
            (0, 2.0), (2, 2.0), (3, 0.2), (5, 0.2), (6, 0.02), (9, 0.002), (3_000_000, 0.0));

    [Test]
    public void MultiStepDecayCountsReachedMilestones()
    {
        AssertRates(new MultiStepDecay([2, 5], gamma: 0.5), 1.0,
            (0, 1.0), (1, 1.0), (2, 0.5), (4, 0.5), (5, 0.25), (long.MaxValue, 0.25));
        AssertRates(new MultiStepDecay([0], gamma: 0.5), 1.0, (0, 0.5), (7, 0.5));
        AssertRates(new MultiStepDecay([], gamma: 0.5), 1.0, (0, 1.0), (7, 1.0));
    }

    [Test]
    public void ExponentialDecayIsContinuousOrStaircase()
    {
        AssertRates(new ExponentialDecay(gamma: 0.5, decaySteps: 4), 1.0,
            (0, 1.0), (2, Math.Sqrt(0.5)), (4, 0.5), (6, 0.5 * Math.Sqrt(0.5)), (8, 0.25));
        AssertRates(new ExponentialDecay(gamma: 0.5, decaySteps: 4, staircase: true), 1.0,
            (0, 1.0), (2, 1.0), (3, 1.0), (4, 0.5), (7, 0.5), (8, 0.25), (11, 0.25), (12, 0.125));
        AssertRates(new ExponentialDecay(gamma: 0.9), 0.1, (3, 0.1 * 0.9 * 0.9 * 0.9));
    }

    [Test]
    public void LinearDecayReachesTheFinalRateAtTau()
    {
        // ε_t = (1 − t/τ)·ε₀ + (t/τ)·ε_τ with τ = 4, ε₀ = 0.1, ε_τ = 0.01.
        AssertRates(new LinearDecay(decaySteps: 4, finalLr: 0.01), 0.1,
            (0, 0.1), (1, 0.0775), (2, 0.055), (3, 0.0325), (4, 0.01), (5, 0.01), (long.MaxValue, 0.01));
        Assert.That(new LinearDecay(4, 0.01).LearningRate(4, 0.1), Is.EqualTo(0.01), "exact at τ");
        AssertRates(new LinearDecay(decaySteps: 2, finalLr: 0), 1.0, (1, 0.5), (2, 0.0));
    }

    [Test]
    public void PolynomialDecayFallsToZero() =>
        AssertRates(new PolynomialDecay(totalIters: 4, power: 2), 1.0,
            (0, 1.0), (1, 0.5625), (2, 0.25), (3, 0.0625), (4, 0.0), (9, 0.0));

    [Test]
    public void CyclicalTriangularRisesAndFalls()
    {
        var schedule = new CyclicalSchedule(baseLr: 0.1, maxLr: 1.0, stepSizeUp: 2, stepSizeDown: 3);
        AssertRates(schedule, 0.5, (0, 0.1), (1, 0.55), (2, 1.0), (3, 0.7), (4, 0.4), (5, 0.1), (7, 1.0), (10, 0.1));
        Assert.That(schedule.LearningRate(3, 123.0), Is.EqualTo(schedule.LearningRate(3, 0.5)), "the optimizer's rate is ignored");
    }

    [Test]
    public void CyclicalTriangular2HalvesTheAmplitudeEachCycle() =>
        AssertRates(new CyclicalSchedule(0.1, 1.0, stepSizeUp: 2, mode: CyclicalMode.Triangular2), 0.1,
            (2, 1.0), (4, 0.1), (6, 0.55), (10, 0.325), (14, 0.2125));

    [Test]
    public void CyclicalExpRangeScalesByGammaPowerStep() =>
        AssertRates(new CyclicalSchedule(0.1, 1.0, stepSizeUp: 2, mode: CyclicalMode.ExpRange, gamma: 0.5), 0.1,
            (0, 0.1), (1, 0.1 + 0.9 * 0.5 * 0.5), (2, 0.1 + 0.9 * 0.25), (6, 0.1 + 0.9 / 64));

    [Test]
    public void CosineAnnealingFollowsTheHalfCosine() =>
        AssertRates(new CosineAnnealing(tMax: 4, etaMin: 0.1), 1.0,
            (0, 1.0), (1, 0.1 + 0.9 * (1 + Math.Sqrt(0.5)) / 2), (2, 0.55), (4, 0.1), (6, 0.55), (8, 1.0));

    [Test]
    public void CosineWarmRestartsRestartsAtGrowingCycles()
    {
        // T_0 = 2, T_mult = 3: cycles [0, 2), [2, 8), [8, 26), [26, 80).
        var schedule = new CosineWarmRestarts(t0: 2, tMult: 3, etaMin: 0.1);
        Assert.That(schedule.Cycle(1), Is.EqualTo((1L, 2.0)));
        Assert.That(schedule.Cycle(2), Is.EqualTo((0L, 6.0)));
        Assert.That(schedule.Cycle(7), Is.EqualTo((5L, 6.0)));
        Assert.That(schedule.Cycle(8), Is.EqualTo((0L, 18.0)));
        Assert.That(schedule.Cycle(25), Is.EqualTo((17L, 18.0)));
        Assert.That(schedule.Cycle(26), Is.EqualTo((0L, 54.0)));
        AssertRates(schedule, 1.0, (0, 1.0), (1, 0.55), (2, 1.0), (5, 0.55), (8, 1.0), (17, 0.55), (26, 1.0));
        AssertRates(new CosineWarmRestarts(t0: 4), 1.0, (0, 1.0), (2, 0.5), (4, 1.0), (6, 0.5), (400, 1.0));
    }

    [Test]
    public void LinearWarmupRampsThenHandsOver()
    {
        AssertRates(new LinearWarmup(steps: 4, startFactor: 0.2), 1.0, (0, 0.2), (1, 0.4), (2, 0.6), (4, 1.0), (100, 1.0));
        AssertRates(new LinearWarmup(steps: 2, startFactor: 0.5, then: new StepDecay(1, 0.5)), 1.0,
            (0, 0.5), (1, 0.75), (2, 1.0), (3, 0.5), (4, 0.25));
    }

    [Test]
    public void SequentialStartsEachScheduleAtItsOwnStepZero()
    {
        var schedule = new SequentialSchedule(
            [new ConstantSchedule(), new ExponentialDecay(0.5), new CosineAnnealing(2)], [3, 5]);
        AssertRates(schedule, 0.8, (0, 0.8), (2, 0.8), (3, 0.8), (4, 0.4), (5, 0.8), (6, 0.4), (7, 0.0));
        AssertRates(new SequentialSchedule([new StepDecay(1, 0.5)], []), 1.0, (0, 1.0), (2, 0.25));
    }
}
