using CudaNet.Tests.Optimizers;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.StepControl;

/// <summary>
/// The step-control ops on the backend under test against the float32 plain-loop reference, bit for bit: BeginStep's
/// state and records over finite, clipped and skipped steps, every controlled update over those steps (aligned and
/// misaligned ranges, many blocks), and CopyIfSkipped.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class StepControlConformanceTests(string backendName) : ConformanceTest(backendName)
{
    private static readonly (float SquaredNorm, float Loss)[] Steps =
        [(0.5f, 1), (9, 1), (1, float.NaN), (float.PositiveInfinity, 1), (0.25f, 2), (1e8f, 0.5f)];

    private static IEnumerable<OptimizerCase> Cases => OptimizerCase.All;

    private static UpdatePlan PlanOf(OptimizerCase c) =>
        new(c.Settings, [new GroupPenalties(c.L1, c.L2, c.WeightDecay), new GroupPenalties(L2: 0.01)], MaxGradNorm: 2);

    private static StepControl<float> Started(IBackend<float> backend, OptimizerCase c)
    {
        var control = new StepControl<float>(backend, PlanOf(c), Steps.Length);
        control.StartEpoch(Enumerable.Range(0, Steps.Length).Select(k => c.LearningRate * (1 + 0.5 * k)).ToArray(), 3, 1);
        return control;
    }

    [TestCaseSource(nameof(Cases))]
    public void BeginStepWritesTheReferenceStateAndRecords(OptimizerCase optimizerCase)
    {
        using var actual = Started(Backend, optimizerCase);
        using var expected = Started(Reference, optimizerCase);
        using var actualScalars = Backend.Allocate<float>(2);
        using var expectedScalars = Reference.Allocate<float>(2);
        foreach (var (norm, loss) in Steps)
        {
            Backend.Upload(actualScalars, [norm, loss]);
            Reference.Upload(expectedScalars, [norm, loss]);
            Backend.BeginStep(actual, actualScalars.View(0, 1), actualScalars.View(1, 1));
            Reference.BeginStep(expected, expectedScalars.View(0, 1), expectedScalars.View(1, 1));
            Assert.That(Backend.ToArray(actual.Records), Is.EqualTo(Reference.ToArray(expected.Records)), $"{optimizerCase} ‖g‖² {norm} loss {loss}");
        }
        Assert.That(actual.ReadCounters(), Is.EqualTo(expected.ReadCounters()));
    }

    [TestCaseSource(nameof(Cases))]
    public void ControlledUpdatesMatchTheReferenceBitForBit(OptimizerCase optimizerCase)
    {
        foreach (int length in new[] { 1, 4, 7, 257, 70_001 })
        {
            var initial = TestData.Uniform<float>(length, length, -2, 2);
            using var actual = new UpdateRig<float>(Backend, optimizerCase, initial);
            using var expected = new UpdateRig<float>(Reference, optimizerCase, initial);
            using var actualControl = Started(Backend, optimizerCase);
            using var expectedControl = Started(Reference, optimizerCase);
            using var actualScalars = Backend.Allocate<float>(2);
            using var expectedScalars = Reference.Allocate<float>(2);
            for (int k = 0; k < Steps.Length; k++)
            {
                var gradient = TestData.Normal<float>(10 * k + length, length);
                Backend.Upload(actual.Gradients, gradient);
                Reference.Upload(expected.Gradients, gradient);
                Backend.Upload(actualScalars, [Steps[k].SquaredNorm, Steps[k].Loss]);
                Reference.Upload(expectedScalars, [Steps[k].SquaredNorm, Steps[k].Loss]);
                Backend.BeginStep(actualControl, actualScalars.View(0, 1), actualScalars.View(1, 1));
                Reference.BeginStep(expectedControl, expectedScalars.View(0, 1), expectedScalars.View(1, 1));
                actual.ControlledUpdate(actualControl);
                expected.ControlledUpdate(expectedControl);
            }
            var a = actual.Snapshot();
            var e = expected.Snapshot();
            for (int i = 0; i < e.Length; i++) Close.Exact<float>(a[i], e[i], $"{optimizerCase} length {length} array {i}");
        }
    }

    [Test]
    public void CopyIfSkippedCopiesOnSkippedStepsOnly()
    {
        var optimizerCase = OptimizerCase.All.First();
        using var control = Started(Backend, optimizerCase);
        using var scalars = Backend.Allocate<float>(2);
        var x = TestData.Uniform<float>(1, 70_001);
        var y = TestData.Uniform<float>(2, 70_001);
        using var source = Backend.FromArray(x);
        using var destination = Backend.FromArray(y);
        Backend.Upload(scalars, [1, 1]);
        Backend.BeginStep(control, scalars.View(0, 1), scalars.View(1, 1));
        Backend.CopyIfSkipped(destination, source, control);
        Assert.That(Backend.ToArray(destination), Is.EqualTo(y));
        Backend.Upload(scalars, [1, float.NaN]);
        Backend.BeginStep(control, scalars.View(0, 1), scalars.View(1, 1));
        Backend.CopyIfSkipped(destination, source, control);
        Assert.That(Backend.ToArray(destination), Is.EqualTo(x));
    }
}
