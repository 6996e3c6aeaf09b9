using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Tests.Optimizers;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.StepControl;

/// <summary>
/// The step-control path (BeginStep, then the controlled update) against the host-scalar path it replaces (read ‖g‖²
/// and the loss, skip or Scale to clip, then the update at the host's step count), bit for bit, for every optimizer,
/// in float32 and float64, with both CPU kernel sets: a step below the clip threshold, clipped steps, a step skipped
/// for its loss and one for an infinite gradient (both must change nothing and not advance t).
/// </summary>
[TestFixture(CpuKernels.Reference, TypeArgs = new[] { typeof(float) })]
[TestFixture(CpuKernels.Simd, TypeArgs = new[] { typeof(float) })]
[TestFixture(CpuKernels.Reference, TypeArgs = new[] { typeof(double) })]
[TestFixture(CpuKernels.Simd, TypeArgs = new[] { typeof(double) })]
public sealed class ControlledUpdateTests<T>(CpuKernels kernels) where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double MaxNorm = 2;

    /// <summary>Per step: the gradient's scale, its loss, and whether one gradient element is +∞.</summary>
    private static readonly (double Scale, double Loss, bool Infinite)[] Steps =
        [(1e-2, 1, false), (1, 0.9, false), (1, double.NaN, false), (1, 0.8, false), (1, 0.7, true), (1e-2, 0.6, false), (3, 0.5, false)];

    private static IEnumerable<TestCaseData> Cases =>
        OptimizerCase.All.Select(c => new TestCaseData(c, false).SetName($"{{m}}({c.Name})"))
            .Append(new TestCaseData(new OptimizerCase("AdamKeras", new AdamSettings(Eps: 1e-7), 1e-3, WeightDecay: 4e-3), true)
                .SetName("{m}(AdamKeras)"));

    [TestCaseSource(nameof(Cases))]
    public void ControlledStepsEqualHostScalarStepsBitForBit(OptimizerCase optimizerCase, bool kerasEps)
    {
        using var cpu = new CpuBackend<T>(kernels);
        foreach (int length in new[] { 1, 7, 64, 257, 70_001 })
        {
            var initial = TestData.Uniform<T>(length, length, -2, 2);
            using var host = new UpdateRig<T>(cpu, optimizerCase, initial);
            using var controlled = new UpdateRig<T>(cpu, optimizerCase, initial);
            var penalties = new GroupPenalties(optimizerCase.L1, optimizerCase.L2, optimizerCase.WeightDecay);
            using var control = new StepControl<T>(cpu, new UpdatePlan(optimizerCase.Settings, [penalties], MaxNorm, kerasEps), Steps.Length);
            var rates = Enumerable.Range(0, Steps.Length).Select(k => optimizerCase.LearningRate * (1 + 0.25 * k)).ToArray();
            control.StartEpoch(rates, step: 0, muProduct: 1);
            using var norm = cpu.Allocate<T>(1);
            using var loss = cpu.Allocate<T>(1);
            long t = 0;
            double muProduct = 1;
            for (int k = 0; k < Steps.Length; k++)
            {
                var (scale, lossValue, infinite) = Steps[k];
                var gradient = TestData.Normal<T>(100 * k + length, length, scale);
                if (infinite) gradient[length / 2] = T.PositiveInfinity;
                cpu.Upload(loss, [T.CreateTruncating(lossValue)]);

                // Today's host path (TrainingSession before step control).
                cpu.Upload(host.Gradients, gradient);
                cpu.SquaredNorm(norm, host.Gradients);
                double squared = double.CreateTruncating(cpu.ToArray(norm)[0]);
                if (double.IsFinite(squared) && double.IsFinite(lossValue))
                {
                    if (Math.Sqrt(squared) > MaxNorm) cpu.Scale(host.Gradients, host.Gradients, MaxNorm / (Math.Sqrt(squared) + 1e-6));
                    t++;
                    var settings = optimizerCase.Settings;
                    if (kerasEps && settings is AdamSettings adam) settings = adam with { Eps = adam.Eps / Math.Sqrt(1 - Math.Pow(adam.Beta2, t)) };
                    if (settings is NadamSettings nadam) muProduct *= nadam.Mu(t);
                    host.HostUpdate(settings, new UpdateStep(rates[k], t, penalties.L1, penalties.L2, penalties.WeightDecay), muProduct);
                }

                // The step-control path.
                cpu.Upload(controlled.Gradients, gradient);
                cpu.SquaredNorm(norm, controlled.Gradients);
                cpu.BeginStep(control, norm, loss);
                controlled.ControlledUpdate(control);

                string what = $"{optimizerCase} length {length} after attempt {k + 1}";
                var expected = host.Snapshot();
                var actual = controlled.Snapshot();
                for (int i = 0; i < expected.Length; i++) Close.Exact<T>(actual[i], expected[i], $"{what}, array {i}");
            }
            Assert.That(control.ReadCounters(), Is.EqualTo(new StepCounters(Steps.Length, t, 2, muProduct)));
            Assert.That(cpu.ToArray(host.Parameters), Is.Not.EqualTo(initial), "the steps moved the parameters");
        }
    }

    [Test]
    public void CopyIfSkippedRestoresOnlyAfterASkippedStep()
    {
        using var cpu = new CpuBackend<T>(kernels);
        using var control = new StepControl<T>(cpu, new UpdatePlan(new SgdSettings(), [new GroupPenalties()]), 2);
        control.StartEpoch([0.1, 0.1], 0, 1);
        var saved = TestData.Uniform<T>(1, 70_001);
        var moved = TestData.Uniform<T>(2, 70_001);
        using var x = cpu.FromArray(saved);
        using var y = cpu.FromArray(moved);
        using var one = cpu.FromArray(new[] { T.One });
        using var nan = cpu.FromArray(new[] { T.NaN });
        cpu.CopyIfSkipped(y, x, control);
        Assert.That(cpu.ToArray(y), Is.EqualTo(moved), "before any step nothing is restored");
        cpu.BeginStep(control, one, one);
        cpu.CopyIfSkipped(y, x, control);
        Assert.That(cpu.ToArray(y), Is.EqualTo(moved), "an applied step keeps what it moved");
        cpu.BeginStep(control, one, nan);
        cpu.CopyIfSkipped(y, x, control);
        Assert.That(cpu.ToArray(y), Is.EqualTo(saved), "a skipped step is put back");
    }
}
