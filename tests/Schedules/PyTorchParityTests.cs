using System.Runtime.CompilerServices;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Schedules;

/// <summary>
/// Every schedule with a PyTorch counterpart against PyTorch 1.13's scheduler stepped 40 times
/// (<c>tests/golden/schedules.py</c>). PyTorch steps its recursive (chainable) forms, which multiply the previous
/// rate by a ratio each step; they drift from the closed forms by about one rounding per step (at most 5e-15
/// relative over these 40 steps), far inside the 1e-12 relative tolerance.
/// </summary>
public sealed class PyTorchParityTests
{
    private const double Rtol = 1e-12;

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case(PyTorchSchedules.StepLR_7_0p5, new StepDecay(7, 0.5));
        yield return Case(PyTorchSchedules.MultiStepLR_3_10_25_0p3, new MultiStepDecay([3, 10, 25], 0.3));
        yield return Case(PyTorchSchedules.ExponentialLR_0p93, new ExponentialDecay(0.93));
        yield return Case(PyTorchSchedules.ExponentialLR_0p93,
            new ExponentialDecay(0.93, decaySteps: 1, staircase: true), variant: "_Staircase1");
        yield return Case(PyTorchSchedules.PolynomialLR_30_2, new PolynomialDecay(30, 2.0));
        yield return Case(PyTorchSchedules.PolynomialLR_4_1, new PolynomialDecay(4, 1.0));
        yield return Case(PyTorchSchedules.PolynomialLR_25_0p5, new PolynomialDecay(25, 0.5));
        yield return Case(PyTorchSchedules.CyclicLR_Triangular_5_3,
            new CyclicalSchedule(0.01, 0.1, stepSizeUp: 5, stepSizeDown: 3, CyclicalMode.Triangular));
        yield return Case(PyTorchSchedules.CyclicLR_Triangular2_4,
            new CyclicalSchedule(0.02, 0.2, stepSizeUp: 4, mode: CyclicalMode.Triangular2));
        yield return Case(PyTorchSchedules.CyclicLR_ExpRange_6_4_0p97,
            new CyclicalSchedule(0.001, 0.05, stepSizeUp: 6, stepSizeDown: 4, CyclicalMode.ExpRange, gamma: 0.97));
        yield return Case(PyTorchSchedules.CosineAnnealingLR_10_0p001, new CosineAnnealing(10, etaMin: 0.001));
        yield return Case(PyTorchSchedules.CosineAnnealingLR_17_0, new CosineAnnealing(17));
        yield return Case(PyTorchSchedules.CosineAnnealingWarmRestarts_5_1_0p01, new CosineWarmRestarts(5, 1, 0.01));
        yield return Case(PyTorchSchedules.CosineAnnealingWarmRestarts_3_2_0, new CosineWarmRestarts(3, 2));
        yield return Case(PyTorchSchedules.CosineAnnealingWarmRestarts_2_3_0p005, new CosineWarmRestarts(2, 3, 0.005));
        yield return Case(PyTorchSchedules.LinearLR_0p25_8, new LinearWarmup(8, 0.25));
        yield return Case(PyTorchSchedules.LinearLR_Default, new LinearWarmup());
        yield return Case(PyTorchSchedules.Sequential_LinearLR_0p1_5_CosineAnnealingLR_10,
            new LinearWarmup(steps: 5, startFactor: 0.1, then: new CosineAnnealing(tMax: 10)));
        yield return Case(PyTorchSchedules.Sequential_LinearLR_0p1_5_CosineAnnealingLR_10,
            new SequentialSchedule([new LinearWarmup(5, 0.1), new CosineAnnealing(10)], [5]), variant: "_Combinator");
        yield return Case(PyTorchSchedules.Sequential_LinearLR_0p5_4_ExponentialLR_0p9,
            new SequentialSchedule([new LinearWarmup(4, 0.5), new ExponentialDecay(0.9)], [4]));
        yield return Case(PyTorchSchedules.Sequential_StepLR_3_0p5_CosineAnnealingWarmRestarts_4_2,
            new SequentialSchedule([new StepDecay(3, 0.5), new CosineWarmRestarts(4, 2)], [10]));
    }

    private static TestCaseData Case(double[] expected, LearningRateSchedule schedule, string variant = "",
        [CallerArgumentExpression(nameof(expected))] string field = "") =>
        new TestCaseData(schedule, expected).SetName(field[(nameof(PyTorchSchedules).Length + 1)..] + variant);

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(LearningRateSchedule schedule, double[] expected)
    {
        var actual = new double[expected.Length];
        for (int t = 0; t < actual.Length; t++) actual[t] = schedule.LearningRate(t, PyTorchSchedules.BaseLr);
        Close.All<double>(actual, expected, Rtol, 0, schedule.GetType().Name);
    }
}
