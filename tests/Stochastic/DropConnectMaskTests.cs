using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;
using static CudaNet.Tests.Stochastic.StochasticTestSupport;

namespace CudaNet.Tests.Stochastic;

/// <summary>DropConnect masks: unscaled, the dropout keep rule, linear (so it is its own backward), arguments.</summary>
public class DropConnectMaskTests
{
    [Test]
    public void KeptWeightsAreUnscaledAndTheMaskIsTheDropoutMask([Values(false, true)] bool simd)
    {
        using var backend = Double(reference: !simd);
        var w = TestData.Uniform<double>(4, 4097, 0.5, 1.5);
        var masked = Run(backend, w, (b, wm, wT) => b.DropConnectMask(wm, wT, 0.3, 8, 9));
        var dropped = Run(backend, w, (b, y, x) => b.DropoutForward(y, x, 0.3, 8, 9));
        for (int i = 0; i < w.Length; i++)
            Assert.That(masked[i], Is.EqualTo(dropped[i] == 0 ? 0.0 : w[i]), $"element {i}");
        Assert.That(masked.Count(v => v == 0) / (double)w.Length, Is.EqualTo(0.3).Within(5 * Math.Sqrt(0.3 * 0.7 / w.Length)));
    }

    [TestCase(0.1)]
    [TestCase(0.5)]
    [TestCase(0.9)]
    public void KeepRateOverAMillionWeights(double p)
    {
        using var backend = new CpuBackend<float>();
        var ones = Enumerable.Repeat(1.0f, 1 << 20).ToArray();
        var masked = Run<float>(backend, ones, (b, wm, w) => b.DropConnectMask(wm, w, p, 31, 4));
        Assert.That(masked.All(v => v == 0 || v == 1), Is.True, "no scaling");
        Assert.That(masked.Sum() / ones.Length, Is.EqualTo(1 - p).Within(5 * Math.Sqrt(p * (1 - p) / ones.Length)));
    }

    [Test]
    public void ZeroPIsTheIdentity()
    {
        using var backend = new CpuBackend<float>();
        float[] w = [.. TestData.Normal<float>(2, 515), float.NaN, float.NegativeInfinity, 3e38f];
        Close.Exact<float>(Run<float>(backend, w, (b, wm, wT) => b.DropConnectMask(wm, wT, 0.0, 1, 2)), w);
    }

    [Test]
    public void GradientCheckInFloat64([Values(false, true)] bool simd)
    {
        // f(w) = Σ mask(w) ⊙ r is linear, so ∂f/∂w = mask(r): the op applied to the gradient.
        using var backend = Double(reference: !simd);
        var wData = TestData.Uniform<double>(5, 41);
        var r = TestData.Normal<double>(6, 41);
        using var w = backend.FromArray(wData, wData.Length);
        using var wMasked = backend.Allocate<double>(wData.Length);
        double F()
        {
            backend.Upload(w, wData);
            backend.DropConnectMask(wMasked, w, 0.5, 3, 1);
            return backend.ToArray(wMasked).Zip(r, (a, b) => a * b).Sum();
        }
        var analytic = Run(backend, r, (b, g, dy) => b.DropConnectMask(g, dy, 0.5, 3, 1));
        var result = GradientCheck.Check(wData, analytic, F);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void BadArgumentsThrowNamingOpAndArgument()
    {
        using var backend = new CpuBackend<float>();
        using var w = backend.Allocate<float>(6);
        using var wMasked = backend.Allocate<float>(6);
        using var wrong = backend.Allocate<float>(2, 2);
        const string op = nameof(IBackend<float>.DropConnectMask);
        foreach (double p in new[] { 1.0, -1e-9, double.NaN, double.PositiveInfinity })
            AssertBadArgument(() => backend.DropConnectMask(wMasked, w, p, 0, 0), op, "p");
        AssertBadArgument(() => backend.DropConnectMask(wrong, w, 0.5, 0, 0), op, "wMasked");
        Assert.That(Run<float>(backend, [], (b, wm, wT) => b.DropConnectMask(wm, wT, 0.5, 0, 0)), Is.Empty);
    }
}
