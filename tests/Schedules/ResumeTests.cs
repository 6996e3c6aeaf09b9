using NUnit.Framework;

namespace CudaNet.Tests.Schedules;

/// <summary>
/// Schedules are pure functions of the step, so a resumed run (a fresh schedule asked for step t) sees exactly
/// the rates of an uninterrupted one; warm restarts land exactly on their steps, also far out.
/// </summary>
public sealed class ResumeTests
{
    private static IEnumerable<LearningRateSchedule> All()
    {
        yield return new ConstantSchedule();
        yield return new StepDecay(7, 0.5);
        yield return new MultiStepDecay([3, 10, 25], 0.3);
        yield return new ExponentialDecay(0.9, decaySteps: 3, staircase: true);
        yield return new LinearDecay(20, 0.001);
        yield return new PolynomialDecay(30, 2);
        yield return new CyclicalSchedule(0.01, 0.1, 5, 3, CyclicalMode.Triangular2);
        yield return new CosineAnnealing(10, 0.001);
        yield return new CosineWarmRestarts(3, 2, 0.001);
        yield return new LinearWarmup(5, 0.1, new CosineAnnealing(10));
        yield return new SequentialSchedule([new LinearWarmup(4), new StepDecay(5), new CosineWarmRestarts(4)], [4, 20]);
    }

    [TestCaseSource(nameof(All))]
    public void FreshScheduleAtStepTEqualsTheIteratedOne(LearningRateSchedule schedule)
    {
        const int steps = 100, resumeAt = 37;
        var iterated = new double[steps];
        for (int t = 0; t < steps; t++) iterated[t] = schedule.LearningRate(t, 0.1);
        for (int t = steps - 1; t >= resumeAt; t--)
            Assert.That(schedule.LearningRate(t, 0.1), Is.EqualTo(iterated[t]), $"t = {t} asked out of order");
    }

    [TestCase(5, 1)]
    [TestCase(5, 2)]
    [TestCase(3, 3)]
    [TestCase(1, 2)]
    public void WarmRestartsHitTheirBoundariesExactly(long t0, long tMult)
    {
        var schedule = new CosineWarmRestarts(t0, tMult, etaMin: 0.001);
        long first = t0, second = t0 + t0 * tMult;
        foreach (long restart in new[] { 0, first, second })
        {
            Assert.That(schedule.LearningRate(restart, 0.1), Is.EqualTo(0.1), $"restart at t = {restart}");
            Assert.That(schedule.Cycle(restart).Position, Is.Zero);
        }
        Assert.That(schedule.Cycle(first - 1), Is.EqualTo((t0 - 1, (double)t0)));
        Assert.That(schedule.Cycle(second - 1), Is.EqualTo((t0 * tMult - 1, (double)(t0 * tMult))));
        Assert.That(schedule.Cycle(second).Length, Is.EqualTo((double)(t0 * tMult * tMult)));
    }

    [TestCase(5, 1)]
    [TestCase(5, 2)]
    [TestCase(2, 3)]
    [TestCase(1, 10)]
    public void WarmRestartsClosedFormEqualsPyTorchsIntegerRecursion(long t0, long tMult)
    {
        // PyTorch's step(): T_cur += 1; if T_cur >= T_i { T_cur -= T_i; T_i *= T_mult }.
        var schedule = new CosineWarmRestarts(t0, tMult, etaMin: 0.002);
        long position = 0, length = t0;
        for (long t = 0; t < 20_000; t++)
        {
            if (t > 0 && ++position >= length)
            {
                position -= length;
                length *= tMult;
            }
            Assert.That(schedule.Cycle(t), Is.EqualTo((position, (double)length)), $"t = {t}");
            double expected = 0.002 + (0.1 - 0.002) * (1 + Math.Cos(Math.PI * position / length)) / 2;
            Assert.That(schedule.LearningRate(t, 0.1), Is.EqualTo(expected), $"t = {t}");
        }
    }

    [Test]
    public void HugeStepsNeitherOverflowNorLoseTheCycle()
    {
        // T_0 = 1, T_mult = 2: cycle i starts at 2^i − 1, so long.MaxValue = 2^63 − 1 starts cycle 63 (length 2^63).
        var doubling = new CosineWarmRestarts(1, 2);
        Assert.That(doubling.Cycle(long.MaxValue), Is.EqualTo((0L, Math.Pow(2, 63))));
        Assert.That(doubling.Cycle(long.MaxValue - 1), Is.EqualTo(((1L << 62) - 1, Math.Pow(2, 62))));
        Assert.That(doubling.LearningRate(long.MaxValue, 0.1), Is.EqualTo(0.1));
        Assert.That(new CosineWarmRestarts(7).Cycle(long.MaxValue), Is.EqualTo((long.MaxValue % 7, 7.0)));
        Assert.That(new CosineWarmRestarts(3, 1_000_000_007).Cycle(long.MaxValue).Position, Is.LessThan(long.MaxValue));

        foreach (var schedule in All())
        {
            double rate = schedule.LearningRate(long.MaxValue, 0.1);
            Assert.That(double.IsFinite(rate) && rate >= 0, $"{schedule.GetType().Name}: {rate}");
        }
    }
}
