using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class SquaredNormConformance(string backendName) : ElementwiseConformance(backendName)
{
    private static float[] SquaredNorm(IBackend<float> backend, float[] data)
    {
        using var x = backend.FromArray(data);
        using var result = backend.FromArray(new[] { 123f });
        backend.SquaredNorm(result, x);
        return backend.ToArray(result);
    }

    [Test]
    public void MatchesTheReferenceForEveryLength()
    {
        foreach (int n in TestData.AllLengths.Concat(ParallelLengths).Concat([16384, 16385, 1_000_003]))
        {
            float[] data = TestData.Normal<float>(n, n);
            Agree($"n={n}", b => SquaredNorm(b, data), Tolerance.ReductionRtol, Tolerance.ReductionAtol);
        }
    }

    [Test]
    public void EmptyIsZero() => Assert.That(SquaredNorm(Backend, []), Is.EqualTo(new[] { 0f }));

    [Test]
    public void NonFiniteValuesPropagate([Values(1, 7, 33, 257, 100_003)] int n)
    {
        float[] data = TestData.Uniform<float>(n, n);
        foreach (int at in new[] { 0, n / 2, n - 1 })
        {
            float[] Poisoned(params float[] values)
            {
                float[] copy = (float[])data.Clone();
                for (int k = 0; k < values.Length; k++) copy[(at + k * (n / 3 + 1)) % n] = values[k];
                return copy;
            }
            foreach (var b in new IBackend<float>[] { Backend, Reference })
            {
                string where = $"{b.Name} n={n} at {at}";
                Assert.That(SquaredNorm(b, Poisoned(float.NaN))[0], Is.NaN, where);
                Assert.That(SquaredNorm(b, Poisoned(float.PositiveInfinity))[0], Is.EqualTo(float.PositiveInfinity), where);
                Assert.That(SquaredNorm(b, Poisoned(float.NegativeInfinity))[0], Is.EqualTo(float.PositiveInfinity), where);
                if (n > 1)
                    Assert.That(SquaredNorm(b, Poisoned(float.PositiveInfinity, float.NaN))[0], Is.NaN, where);
            }
        }
    }

    [Test]
    public void FiniteValuesWhoseSquaresOverflowGiveInfinity() =>
        Assert.That(SquaredNorm(Backend, [1e20f, -1e20f, 1f]), Is.EqualTo(new[] { float.PositiveInfinity }));

    [Test]
    public void BadArgumentsThrowNamingTheOpAndTheArgument()
    {
        using var x = Backend.Allocate<float>(4);
        using var pair = Backend.Allocate<float>(2);
        using var foreign = Reference.Allocate<float>(4);
        Expect.ArgumentError(() => Backend.SquaredNorm(pair, x), "SquaredNorm", "result");
        Expect.ArgumentError(() => Backend.SquaredNorm(pair.View(0, 1), foreign), "SquaredNorm", "x");
    }
}

public sealed class SquaredNormFloat64
{
    private static readonly CpuKernels[] Kernels = Expect.BothKernels;

    private static double SquaredNorm(CpuBackend<double> backend, double[] data)
    {
        using var x = backend.FromArray(data);
        using var result = backend.Allocate<double>(1);
        backend.SquaredNorm(result, x);
        return backend.ToArray(result)[0];
    }

    /// <summary>Σ_{i=1..n} i² = n(n+1)(2n+1)/6, exact in float64 for these n.</summary>
    [TestCaseSource(nameof(Kernels))]
    public void SumOfSquaresOfIntegers(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        foreach (int n in new[] { 1, 3, 10, 257, 40_000 })
        {
            double[] data = Enumerable.Range(1, n).Select(i => (double)i).ToArray();
            Assert.That(SquaredNorm(backend, data), Is.EqualTo((double)n * (n + 1) * (2 * n + 1) / 6), $"n={n}");
        }
    }

    [TestCaseSource(nameof(Kernels))]
    public void ExtremeValues(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        Assert.That(SquaredNorm(backend, [1e30, -1e30]), Is.EqualTo(2e60).Within(1e45));
        Assert.That(SquaredNorm(backend, [1e200, 1]), Is.EqualTo(double.PositiveInfinity));
        Assert.That(SquaredNorm(backend, [double.NegativeInfinity, 2]), Is.EqualTo(double.PositiveInfinity));
        Assert.That(SquaredNorm(backend, [3, double.NaN, double.PositiveInfinity]), Is.NaN);
    }

    /// <summary>
    /// A million float32 values (i mod 100)/4, whose squares are exact in float32: Σ = 10⁴ · Σ_{k&lt;100} k²/16 =
    /// 205 218 750 in closed form. The blocked SIMD sum keeps each running sum short, so it lands far inside the
    /// reduction tolerance (1e-3) — within 1e-6 — even though the total needs 28 bits.
    /// </summary>
    [Test]
    public void FloatSimdSumOfAMillionSquaresMatchesTheFloat64ClosedForm()
    {
        using var backend = new CpuBackend<float>();
        float[] data = Enumerable.Range(0, 1_000_000).Select(i => i % 100 / 4f).ToArray();
        using var x = backend.FromArray(data);
        using var result = backend.Allocate<float>(1);
        backend.SquaredNorm(result, x);
        const double expected = 10_000 * (328_350 / 16.0);
        Assert.That(backend.ToArray(result)[0], Is.EqualTo(expected).Within(1e-6 * expected));
    }

    [Test]
    public void SimdResultDoesNotDependOnTheThreadCount([Values(100_003, 1_000_003)] int n)
    {
        float[] data = TestData.Normal<float>(n, n);
        float[] results = new[] { 1, 2, 3, 8 }.Select(threads =>
        {
            using var backend = new CpuBackend<float>(CpuKernels.Simd, threads);
            using var x = backend.FromArray(data);
            using var result = backend.Allocate<float>(1);
            backend.SquaredNorm(result, x);
            return backend.ToArray(result)[0];
        }).ToArray();
        Assert.That(results, Is.All.EqualTo(results[0]));
    }

    /// <summary>f = c·‖x‖²: ∂f/∂x = 2c·x, a Scale of x.</summary>
    [TestCaseSource(nameof(Kernels))]
    public void Gradient(CpuKernels kernels)
    {
        const int n = 45;
        const double c = -0.8;
        using var backend = new CpuBackend<double>(kernels);
        double[] xs = TestData.Normal<double>(6, n);
        using var x = backend.FromArray(xs);
        using var gradient = backend.Allocate<double>(n);
        using var result = backend.Allocate<double>(1);
        backend.Scale(gradient, x, 2 * c);
        Expect.Passed(GradientCheck.Check(xs, backend.ToArray(gradient), () =>
        {
            backend.Upload(x, xs);
            backend.SquaredNorm(result, x);
            return c * backend.ToArray(result)[0];
        }));
    }
}
