using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>Batch of one, SGD's first step, NaN propagation, extreme values and the no-allocation rule.</summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class EdgeCaseTests(CpuKernels kernels)
{
    private static IEnumerable<OptimizerCase> Cases => OptimizerCase.All;

    [Test]
    public void SgdMomentumStartsFromTheFirstGradientWhateverTheBufferHolds()
    {
        using var backend = new CpuBackend<double>(kernels);
        using var w = backend.FromArray(new[] { 1.0 });
        using var g = backend.FromArray(new[] { 0.5 });
        using var buffer = backend.FromArray(new[] { 123.0 });
        var settings = new SgdSettings(Momentum: 0.9, Dampening: 0.5);
        backend.SgdUpdate(w, g, buffer, settings, new UpdateStep(0.1, 1));
        // Step 1: b = g (no dampening), w = 1 - 0.1·0.5.
        Assert.That(backend.ToArray(buffer), Is.EqualTo(new[] { 0.5 }));
        Assert.That(backend.ToArray(w)[0], Is.EqualTo(0.95).Within(1e-15));
        backend.Upload(g, [-1.0]);
        backend.SgdUpdate(w, g, buffer, settings, new UpdateStep(0.1, 2));
        // Step 2: b = 0.9·0.5 + 0.5·(-1) = -0.05, w = 0.95 + 0.1·0.05.
        Assert.That(backend.ToArray(buffer)[0], Is.EqualTo(-0.05).Within(1e-15));
        Assert.That(backend.ToArray(w)[0], Is.EqualTo(0.955).Within(1e-15));
    }

    [TestCaseSource(nameof(Cases))]
    public void NanGradientPoisonsOnlyItsOwnParameter(OptimizerCase optimizerCase)
    {
        const int length = 19; // NaN in a vector lane (3) and in the scalar tail (18)
        using var backend = new CpuBackend<float>(kernels);
        using var run = new OptimizerRun<float>(backend, optimizerCase, TestData.Uniform<float>(1, length, -2, 2));
        var gradient = TestData.Normal<float>(2, length);
        gradient[3] = gradient[18] = float.NaN;
        run.Step(gradient, 1);
        var parameters = run.Parameters;
        for (int i = 0; i < length; i++)
            Assert.That(float.IsNaN(parameters[i]), Is.EqualTo(i is 3 or 18), $"{optimizerCase}: element {i} is {parameters[i]}");
    }

    [TestCaseSource(nameof(Cases))]
    public void ExtremeValuesGiveTheSameBitsAsTheReference(OptimizerCase optimizerCase)
    {
        float[] gradient = [1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-30f, -1e-38f, 3f];
        float[] initial = [1e30f, -1e30f, 0f, 1f, float.MaxValue, -2f, 1e-30f, 0f, float.Epsilon];
        using var backend = new CpuBackend<float>(kernels);
        using var reference = new CpuBackend<float>(CpuKernels.Reference);
        using var actual = new OptimizerRun<float>(backend, optimizerCase, initial);
        using var expected = new OptimizerRun<float>(reference, optimizerCase, initial);
        for (int t = 1; t <= 2; t++)
        {
            actual.Step(gradient, t);
            expected.Step(gradient, t);
        }
        Close.Exact<float>(actual.Parameters, expected.Parameters, optimizerCase.Name);
    }

    [Test]
    public void AdamFirstStepIsLrTimesSignEvenForHugeGradients()
    {
        using var backend = new CpuBackend<double>(kernels);
        double[] g = [1e30, -1e30, 1e-30, -3];
        using var run = new OptimizerRun<double>(backend, OptimizerCase.Golden.Single(c => c.Name == "Adam"), [0, 0, 0, 0]);
        run.Step(g, 1);
        // m̂ = g and √v̂ = |g|: the step is lr·g/(|g| + eps), i.e. lr·sign(g) unless |g| is near eps.
        Close.All<double>(run.Parameters, [-1e-3, 1e-3, -1e-3 * 1e-30 / (1e-30 + 1e-8), 1e-3 * 3 / (3 + 1e-8)], 1e-12, 1e-40, "Adam");
    }

    [Test]
    public void OneElementMatchesTheScalarFormula()
    {
        using var backend = new CpuBackend<double>(kernels);
        using var run = new OptimizerRun<double>(backend, OptimizerCase.Golden.Single(c => c.Name == "RmsPropCentered"), [2.0]);
        run.Step([0.5], 1);
        // v = 0.01·0.25, ḡ = 0.01·0.5: a = √(0.0025 - 0.000025) + 1e-8; w = 2 - 0.01·0.5/a.
        double a = Math.Sqrt(0.0025 - 0.000025) + 1e-8;
        Assert.That(run.Parameters[0], Is.EqualTo(2 - 0.01 * 0.5 / a).Within(1e-15));
    }

    [TestCaseSource(nameof(Cases))]
    public void UnsplitUpdateAllocatesNothing(OptimizerCase optimizerCase)
    {
        using var backend = new CpuBackend<float>(kernels);
        using var run = new OptimizerRun<float>(backend, optimizerCase, TestData.Uniform<float>(3, 1000));
        var gradient = TestData.Normal<float>(4, 1000);
        run.Step(gradient, 1); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        run.Step(gradient, 2);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, optimizerCase.Name);
    }
}
