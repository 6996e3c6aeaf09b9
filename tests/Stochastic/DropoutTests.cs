using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;
using static CudaNet.Tests.Stochastic.StochasticTestSupport;

namespace CudaNet.Tests.Stochastic;

/// <summary>Inverted dropout: closed form, statistics, mask identity of forward and backward, gradients, arguments.</summary>
public class DropoutTests
{
    private const int Million = 1 << 20;

    [Test]
    public void ReferenceIsTheClosedFormInFloat64([Values(0.0, 0.2, 0.5)] double p, [Values(false, true)] bool simd)
    {
        ulong seed = 0xDEADBEEF, offset = 17;
        using var backend = Double(reference: !simd);
        var x = TestData.Uniform<double>(3, 1001, -5, 5);
        var y = Run(backend, x, (b, yT, xT) => b.DropoutForward(yT, xT, p, seed, offset));
        float pFloat = (float)p;
        double scale = 1.0 / (1.0 - pFloat);
        for (int i = 0; i < x.Length; i++)
        {
            var (c0, c1, c2, c3) = Philox.Generate(((uint)(i / 4), 0, (uint)offset, 0), ((uint)seed, 0));
            uint word = (i % 4) switch { 0 => c0, 1 => c1, 2 => c2, _ => c3 };
            double expected = (word >> 8) / 16777216.0 >= pFloat ? x[i] * scale : 0.0;
            Assert.That(y[i], Is.EqualTo(expected), $"element {i}");
        }
    }

    [TestCase(0.1)]
    [TestCase(0.5)]
    [TestCase(0.9)]
    public void KeepRateAndMeanAreUnbiased(double p)
    {
        using var backend = new CpuBackend<float>();
        var x = TestData.Uniform<float>(11, Million, 0.5, 1.5);
        var y = Run<float>(backend, x, (b, yT, xT) => b.DropoutForward(yT, xT, p, 2024, 1));
        int kept = y.Count(v => v != 0);
        // kept ~ Binomial(n, 1-p): standard error sqrt(p(1-p)/n) of the rate.
        double rateError = Math.Sqrt(p * (1 - p) / Million);
        Assert.That((double)kept / Million, Is.EqualTo(1 - p).Within(5 * rateError), "keep rate within 5 standard errors");
        // mean(y) - mean(x) = mean(x·(m/(1-p) - 1)): zero-mean terms of variance x²·p/(1-p), so 5 standard errors
        // of the mean are 5·sqrt(mean(x²)·p/(1-p)/n) (≤ 0.016 for p = 0.9).
        double meanX = x.Average(v => (double)v), meanY = y.Average(v => (double)v);
        double meanSquare = x.Average(v => (double)v * v);
        Assert.That(meanY, Is.EqualTo(meanX).Within(5 * Math.Sqrt(meanSquare * p / (1 - p) / Million)), "E[y] = E[x]");
        // Kept values are x·scale exactly.
        float scale = 1.0f / (1.0f - (float)p);
        for (int i = 0; i < Million; i += 4099) Assert.That(y[i], Is.EqualTo(0.0f).Or.EqualTo(x[i] * scale));
    }

    [Test]
    public void ZeroPIsExactlyTheIdentityIncludingInfinitiesAndNaN()
    {
        using var backend = new CpuBackend<float>();
        float[] x = [.. TestData.Uniform<float>(1, 300, -1e30, 1e30), float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0.0f, float.Epsilon];
        Close.Exact<float>(Run<float>(backend, x, (b, y, xT) => b.DropoutForward(y, xT, 0.0, 7, 7)), x, "forward");
        Close.Exact<float>(Run<float>(backend, x, (b, dx, dy) => b.DropoutBackward(dx, dy, 0.0, 7, 7)), x, "backward");
    }

    [Test]
    public void ExtremeValuesAreScaledWhenKeptAndExactlyZeroWhenDropped()
    {
        using var backend = new CpuBackend<float>();
        var x = new float[64];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 4) switch { 0 => 1e30f, 1 => float.NegativeInfinity, 2 => float.NaN, _ => -1e30f };
        var y = Run<float>(backend, x, (b, yT, xT) => b.DropoutForward(yT, xT, 0.5, 3, 3));
        var ones = Run<float>(backend, Enumerable.Repeat(1.0f, 64).ToArray(), (b, yT, xT) => b.DropoutForward(yT, xT, 0.5, 3, 3));
        Assert.That(ones.Count(v => v == 0), Is.InRange(1, 63), "the mask drops some but not all");
        for (int i = 0; i < x.Length; i++)
        {
            if (ones[i] == 0) Assert.That(BitConverter.SingleToInt32Bits(y[i]), Is.Zero, $"dropped element {i} is +0");
            else if (float.IsNaN(x[i])) Assert.That(y[i], Is.NaN, $"kept NaN {i}");
            else Assert.That(y[i], Is.EqualTo(x[i] * 2.0f), $"kept element {i}");
        }
    }

    [Test]
    public void DifferentOffsetsAndSeedsGiveDifferentMasks()
    {
        using var backend = new CpuBackend<float>();
        var ones = Enumerable.Repeat(1.0f, 8192).ToArray();
        float[] Mask(ulong seed, ulong offset) => Run<float>(backend, ones, (b, y, x) => b.DropoutForward(y, x, 0.5, seed, offset));
        var reference = Mask(5, 10);
        Close.Exact<float>(Mask(5, 10), reference, "same (seed, offset) gives the same mask");
        foreach (var (seed, offset) in new (ulong, ulong)[] { (5, 11), (5, 10 + (1UL << 32)), (6, 10), (5 + (1UL << 32), 10) })
        {
            var other = Mask(seed, offset);
            // Independent masks agree on p² + (1-p)² = 1/2 of the elements: 8192·(1/2 ± 5·sqrt(1/4/8192)).
            int agree = Enumerable.Range(0, ones.Length).Count(i => other[i] == reference[i]);
            Assert.That(agree, Is.InRange(3870, 4322), $"seed {seed}, offset {offset}");
        }
    }

    [Test]
    public void BackwardUsesTheForwardMaskAndScale([Values(false, true)] bool simd)
    {
        using var backend = new CpuBackend<float>(simd ? CpuKernels.Simd : CpuKernels.Reference);
        var x = TestData.Uniform<float>(8, 5000, 0.5, 2);
        var dy = TestData.Normal<float>(9, 5000);
        var y = Run<float>(backend, x, (b, yT, xT) => b.DropoutForward(yT, xT, 0.3, 77, 5));
        var dx = Run<float>(backend, dy, (b, dxT, dyT) => b.DropoutBackward(dxT, dyT, 0.3, 77, 5));
        float scale = 1.0f / (1.0f - 0.3f);
        for (int i = 0; i < x.Length; i++)
        {
            if (y[i] == 0) Assert.That(dx[i], Is.EqualTo(0.0f), $"dropped element {i}");
            else Assert.That((y[i], dx[i]), Is.EqualTo((x[i] * scale, dy[i] * scale)), $"kept element {i}");
        }
    }

    [Test]
    public void GradientCheckInFloat64([Values(false, true)] bool simd)
    {
        using var backend = Double(reference: !simd);
        var xData = TestData.Uniform<double>(21, 53, -2, 2);
        var r = TestData.Normal<double>(22, 53);
        using var x = backend.FromArray(xData, xData.Length);
        using var y = backend.Allocate<double>(xData.Length);
        double F()
        {
            backend.Upload(x, xData);
            backend.DropoutForward(y, x, 0.4, 99, 12345);
            return backend.ToArray(y).Zip(r, (a, b) => a * b).Sum();
        }
        var analytic = Run(backend, r, (b, dx, dy) => b.DropoutBackward(dx, dy, 0.4, 99, 12345));
        Assert.That(analytic.Count(v => v == 0), Is.InRange(1, 52), "the mask drops some but not all");
        var result = GradientCheck.Check(xData, analytic, F);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void BadArgumentsThrowNamingOpAndArgument()
    {
        using var backend = new CpuBackend<float>();
        using var x = backend.Allocate<float>(8);
        using var y = backend.Allocate<float>(8);
        using var wrong = backend.Allocate<float>(7);
        foreach (double p in new[] { 1.0, -0.1, double.NaN, 1.5 })
        {
            AssertBadArgument(() => backend.DropoutForward(y, x, p, 0, 0), nameof(IBackend<float>.DropoutForward), "p");
            AssertBadArgument(() => backend.DropoutBackward(y, x, p, 0, 0), nameof(IBackend<float>.DropoutBackward), "p");
        }
        AssertBadArgument(() => backend.DropoutForward(wrong, x, 0.5, 0, 0), nameof(IBackend<float>.DropoutForward), "y");
        AssertBadArgument(() => backend.DropoutBackward(wrong, x, 0.5, 0, 0), nameof(IBackend<float>.DropoutBackward), "dx");
    }

    [Test]
    public void EmptyAndSingleElementTensors()
    {
        using var backend = new CpuBackend<float>();
        Assert.That(Run<float>(backend, [], (b, y, x) => b.DropoutForward(y, x, 0.5, 1, 1)), Is.Empty);
        // Element 0 of stream (1, 1): exactly 3·(1/(1 - 0.1f)) when word 0 of block 0 keeps it, else 0.
        var (word, _, _, _) = Philox.Block(1, 1, 0);
        float expected = Philox.Keep(word, 0.1f) ? 3.0f * (1.0f / (1.0f - 0.1f)) : 0.0f;
        Assert.That(Run<float>(backend, [3.0f], (b, y, x) => b.DropoutForward(y, x, 0.1, 1, 1)), Is.EqualTo(new[] { expected }));
    }
}
