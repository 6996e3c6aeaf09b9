using NUnit.Framework;

namespace CudaNet.Tests.Schedules;

/// <summary>Bad hyperparameters throw from the constructor, naming the schedule and the argument.</summary>
public sealed class ArgumentTests
{
    private static TestCaseData Bad(string schedule, string argument, Func<LearningRateSchedule> create, string label) =>
        new TestCaseData(schedule, argument, create).SetName($"{schedule}_{label}");

    private static IEnumerable<TestCaseData> BadHyperparameters()
    {
        yield return Bad(nameof(StepDecay), "stepSize", () => new StepDecay(0), "StepSizeZero");
        yield return Bad(nameof(StepDecay), "gamma", () => new StepDecay(3, double.NaN), "GammaNaN");
        yield return Bad(nameof(StepDecay), "gamma", () => new StepDecay(3, -0.1), "GammaNegative");
        yield return Bad(nameof(MultiStepDecay), "milestones", () => new MultiStepDecay([3, 3]), "MilestonesRepeated");
        yield return Bad(nameof(MultiStepDecay), "milestones", () => new MultiStepDecay([5, 2]), "MilestonesDecreasing");
        yield return Bad(nameof(MultiStepDecay), "milestones", () => new MultiStepDecay([-1, 2]), "MilestoneNegative");
        yield return Bad(nameof(MultiStepDecay), "gamma", () => new MultiStepDecay([2], double.PositiveInfinity), "GammaInfinite");
        yield return Bad(nameof(ExponentialDecay), "gamma", () => new ExponentialDecay(0), "GammaZero");
        yield return Bad(nameof(ExponentialDecay), "decaySteps", () => new ExponentialDecay(0.9, decaySteps: 0), "DecayStepsZero");
        yield return Bad(nameof(LinearDecay), "decaySteps", () => new LinearDecay(0, 0.01), "DecayStepsZero");
        yield return Bad(nameof(LinearDecay), "finalLr", () => new LinearDecay(10, -0.01), "FinalLrNegative");
        yield return Bad(nameof(PolynomialDecay), "totalIters", () => new PolynomialDecay(0), "TotalItersZero");
        yield return Bad(nameof(PolynomialDecay), "power", () => new PolynomialDecay(5, 0), "PowerZero");
        yield return Bad(nameof(CyclicalSchedule), "baseLr", () => new CyclicalSchedule(-0.1, 1), "BaseLrNegative");
        yield return Bad(nameof(CyclicalSchedule), "maxLr", () => new CyclicalSchedule(0.1, 0.01), "MaxLrBelowBaseLr");
        yield return Bad(nameof(CyclicalSchedule), "stepSizeUp", () => new CyclicalSchedule(0.1, 1, stepSizeUp: 0), "StepSizeUpZero");
        yield return Bad(nameof(CyclicalSchedule), "stepSizeDown", () => new CyclicalSchedule(0.1, 1, 4, stepSizeDown: 0), "StepSizeDownZero");
        yield return Bad(nameof(CyclicalSchedule), "stepSizeDown",
            () => new CyclicalSchedule(0.1, 1, long.MaxValue, stepSizeDown: 1), "CycleLengthOverflows");
        yield return Bad(nameof(CyclicalSchedule), "mode", () => new CyclicalSchedule(0.1, 1, mode: (CyclicalMode)7), "ModeUnknown");
        yield return Bad(nameof(CyclicalSchedule), "gamma", () => new CyclicalSchedule(0.1, 1, gamma: 1.5), "GammaAboveOne");
        yield return Bad(nameof(CosineAnnealing), "tMax", () => new CosineAnnealing(0), "TMaxZero");
        yield return Bad(nameof(CosineAnnealing), "etaMin", () => new CosineAnnealing(10, double.NaN), "EtaMinNaN");
        yield return Bad(nameof(CosineWarmRestarts), "t0", () => new CosineWarmRestarts(0), "T0Zero");
        yield return Bad(nameof(CosineWarmRestarts), "tMult", () => new CosineWarmRestarts(5, tMult: 0), "TMultZero");
        yield return Bad(nameof(CosineWarmRestarts), "etaMin", () => new CosineWarmRestarts(5, 2, etaMin: -1), "EtaMinNegative");
        yield return Bad(nameof(LinearWarmup), "steps", () => new LinearWarmup(0), "StepsZero");
        yield return Bad(nameof(LinearWarmup), "startFactor", () => new LinearWarmup(5, 0), "StartFactorZero");
        yield return Bad(nameof(LinearWarmup), "startFactor", () => new LinearWarmup(5, 1.5), "StartFactorAboveOne");
        yield return Bad(nameof(SequentialSchedule), "schedules", () => new SequentialSchedule([], []), "NoSchedules");
        yield return Bad(nameof(SequentialSchedule), "schedules",
            () => new SequentialSchedule([new ConstantSchedule(), null!], [3]), "NullSchedule");
        yield return Bad(nameof(SequentialSchedule), "milestones",
            () => new SequentialSchedule([new ConstantSchedule(), new ConstantSchedule()], [3, 6]), "MilestoneCountWrong");
        yield return Bad(nameof(SequentialSchedule), "milestones",
            () => new SequentialSchedule([new ConstantSchedule(), new ConstantSchedule()], [0]), "MilestoneZero");
        yield return Bad(nameof(SequentialSchedule), "milestones",
            () => new SequentialSchedule([new ConstantSchedule(), new ConstantSchedule(), new ConstantSchedule()], [4, 4]),
            "MilestonesRepeated");
    }

    [TestCaseSource(nameof(BadHyperparameters))]
    public void BadHyperparameterThrows(string schedule, string argument, Func<LearningRateSchedule> create)
    {
        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => create())!;
        Assert.That(((ArgumentException)error).ParamName, Is.EqualTo(argument));
        Assert.That(error.Message, Does.Contain(schedule).And.Contain(argument));
    }

    [Test]
    public void NegativeStepOrBadBaseRateThrows()
    {
        var schedule = new CosineAnnealing(10);
        var step = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.LearningRate(-1, 0.1))!;
        Assert.That(step.ParamName, Is.EqualTo("step"));
        Assert.That(step.Message, Does.Contain(nameof(CosineAnnealing)));
        foreach (double baseLr in new[] { -0.1, double.NaN, double.PositiveInfinity })
        {
            var rate = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.LearningRate(0, baseLr))!;
            Assert.That(rate.ParamName, Is.EqualTo("baseLr"));
            Assert.That(rate.Message, Does.Contain(nameof(CosineAnnealing)));
        }
        var cycle = Assert.Throws<ArgumentOutOfRangeException>(() => new CosineWarmRestarts(3).Cycle(-1))!;
        Assert.That(cycle.Message, Does.Contain(nameof(CosineWarmRestarts)).And.Contain("step"));
    }

    [Test]
    public void NullMilestonesThrow()
    {
        Assert.Throws<ArgumentNullException>(() => new MultiStepDecay(null!));
        Assert.Throws<ArgumentNullException>(() => new SequentialSchedule(null!, []));
        Assert.Throws<ArgumentNullException>(() => new SequentialSchedule([new ConstantSchedule()], null!));
    }
}
