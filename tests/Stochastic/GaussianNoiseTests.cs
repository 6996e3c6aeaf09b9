using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;
using static CudaNet.Tests.Stochastic.StochasticTestSupport;

namespace CudaNet.Tests.Stochastic;

/// <summary>Gaussian noise: closed form, moments and distribution of a million samples, σ = 0, gradient, arguments.</summary>
public class GaussianNoiseTests
{
    private const int Million = 1 << 20;

    private static double[] Samples(ulong seed, ulong offset)
    {
        using var backend = new CpuBackend<double>();
        return Run(backend, new double[Million], (b, y, x) => b.AddGaussianNoise(y, x, 1.0, seed, offset));
    }

    [Test]
    public void ReferenceIsXPlusSigmaTimesThePhiloxNormal([Values(false, true)] bool simd)
    {
        using var backend = Double(reference: !simd);
        var x = TestData.Uniform<double>(1, 203, -10, 10);
        var y = Run(backend, x, (b, yT, xT) => b.AddGaussianNoise(yT, xT, 0.25, 0xABCDEF, 99));
        for (int i = 0; i < x.Length; i++)
            Assert.That(y[i], Is.EqualTo(x[i] + 0.25 * PhiloxNormal.Element(0xABCDEF, 99, (ulong)i)), $"element {i}");
    }

    [Test]
    public void MomentsOfAMillionSamplesAreStandardNormal()
    {
        var z = Samples(123, 0);
        int n = z.Length;
        double mean = z.Average();
        double variance = z.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        double skew = z.Sum(v => Math.Pow(v - mean, 3)) / n / Math.Pow(variance, 1.5);
        double kurtosis = z.Sum(v => Math.Pow(v - mean, 4)) / n / (variance * variance);
        // Standard errors for N(0,1) samples: mean 1/√n, variance √(2/n), skewness √(6/n), kurtosis √(24/n); 5 each.
        Assert.That(mean, Is.EqualTo(0).Within(5 / Math.Sqrt(n)));
        Assert.That(variance, Is.EqualTo(1).Within(5 * Math.Sqrt(2.0 / n)));
        Assert.That(skew, Is.EqualTo(0).Within(5 * Math.Sqrt(6.0 / n)));
        Assert.That(kurtosis, Is.EqualTo(3).Within(5 * Math.Sqrt(24.0 / n)));
        // The two normals of a Box–Muller pair (elements 4b, 4b+1) are independent: correlation within 5/√(n/2).
        double pairCorrelation = 0;
        for (int i = 0; i < n; i += 2) pairCorrelation += (z[i] - mean) * (z[i + 1] - mean);
        Assert.That(pairCorrelation / (n / 2) / variance, Is.EqualTo(0).Within(5 / Math.Sqrt(n / 2)));
        Assert.That(z.Max(Math.Abs), Is.LessThanOrEqualTo(Math.Sqrt(48 * Math.Log(2))), "tails end at sqrt(-2 ln 2^-24)");
    }

    [Test]
    public void EmpiricalDistributionMatchesPhiKolmogorovSmirnov()
    {
        var z = Samples(77, 5);
        Array.Sort(z);
        double d = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double phi = NormalCdf(z[i]);
            d = Math.Max(d, Math.Max((i + 1.0) / z.Length - phi, phi - (double)i / z.Length));
        }
        // Kolmogorov's critical value at significance 0.001 is 1.95/√n (≈ 0.0019 for n = 2²⁰).
        Assert.That(d, Is.LessThan(1.95 / Math.Sqrt(z.Length)), $"KS statistic {d}");
    }

    [Test]
    public void ZeroSigmaGivesYEqualToX()
    {
        using var backend = new CpuBackend<float>();
        float[] x = [.. TestData.Uniform<float>(4, 777, -1e30, 1e30), float.PositiveInfinity, float.NaN, -0.0f];
        var y = Run<float>(backend, x, (b, yT, xT) => b.AddGaussianNoise(yT, xT, 0.0, 1, 1));
        Close.Exact<float>(y, x);
    }

    [Test]
    public void DifferentOffsetsGiveIndependentNoise()
    {
        var a = Samples(9, 1);
        var b = Samples(9, 2);
        double correlation = a.Zip(b, (u, v) => u * v).Sum() / a.Length;
        Assert.That(correlation, Is.EqualTo(0).Within(5 / Math.Sqrt(a.Length)));
    }

    [Test]
    public void GradientWithRespectToXIsTheIdentity([Values(false, true)] bool simd)
    {
        using var backend = Double(reference: !simd);
        var xData = TestData.Uniform<double>(12, 29);
        var r = TestData.Normal<double>(13, 29);
        using var x = backend.FromArray(xData, xData.Length);
        using var y = backend.Allocate<double>(xData.Length);
        double F()
        {
            backend.Upload(x, xData);
            backend.AddGaussianNoise(y, x, 0.3, 5, 6);
            return backend.ToArray(y).Zip(r, (a, b) => a * b).Sum();
        }
        var result = GradientCheck.Check(xData, r, F);
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    [Test]
    public void BadArgumentsThrowNamingOpAndArgument()
    {
        using var backend = new CpuBackend<float>();
        using var x = backend.Allocate<float>(5);
        using var y = backend.Allocate<float>(5);
        using var wrong = backend.Allocate<float>(6);
        const string op = nameof(IBackend<float>.AddGaussianNoise);
        foreach (double stddev in new[] { -1.0, double.NaN, double.PositiveInfinity })
            AssertBadArgument(() => backend.AddGaussianNoise(y, x, stddev, 0, 0), op, "stddev");
        AssertBadArgument(() => backend.AddGaussianNoise(wrong, x, 1.0, 0, 0), op, "y");
        Assert.That(Run<float>(backend, [], (b, yT, xT) => b.AddGaussianNoise(yT, xT, 1.0, 0, 0)), Is.Empty);
    }
}
