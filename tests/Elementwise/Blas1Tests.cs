using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class Blas1Conformance(string backendName) : ElementwiseConformance(backendName)
{
    private static IEnumerable<int> Lengths => TestData.AllLengths.Concat(ParallelLengths);

    [Test]
    public void FillAndCopyMatchTheReferenceExactlyForEveryLength()
    {
        foreach (int n in Lengths)
        {
            float[] source = TestData.Uniform<float>(n, n);
            float[] Fill(IBackend<float> b)
            {
                using var x = b.FromArray(source);
                b.Fill(x, -0.3);
                return b.ToArray(x);
            }
            float[] Copy(IBackend<float> b)
            {
                using var x = b.FromArray(source);
                using var y = b.Allocate<float>(n);
                b.Copy(y, x);
                return b.ToArray(y);
            }
            Close.Exact<float>(Fill(Backend), Enumerable.Repeat(-0.3f, n).ToArray(), $"Fill n={n}");
            Close.Exact<float>(Copy(Backend), source, $"Copy n={n}");
            Close.Exact<float>(Fill(Reference), Enumerable.Repeat(-0.3f, n).ToArray(), $"reference Fill n={n}");
            Close.Exact<float>(Copy(Reference), source, $"reference Copy n={n}");
        }
    }

    [Test]
    public void ScaleAndAxpyMatchTheReferenceForEveryLength()
    {
        foreach (int n in Lengths)
        {
            float[] xs = TestData.Normal<float>(n, n), ys = TestData.Normal<float>(n + 1000, n);
            Agree($"Scale n={n}", b =>
            {
                using var x = b.FromArray(xs);
                using var y = b.FromArray(ys);
                b.Scale(y, x, -1.7);
                return b.ToArray(y);
            }, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol);
            Agree($"Axpy n={n}", b =>
            {
                using var x = b.FromArray(xs);
                using var y = b.FromArray(ys);
                b.Axpy(y, x, 0.37);
                return b.ToArray(y);
            }, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol);
        }
    }

    [Test]
    public void ScaleInPlaceEqualsScaleIntoAnotherTensor([Values(1, 13, 257, 2 * 32768 + 7)] int n)
    {
        float[] xs = TestData.Normal<float>(5, n);
        using var x = Backend.FromArray(xs);
        using var y = Backend.Allocate<float>(n);
        Backend.Scale(y, x, 3.25);
        Backend.Scale(x, x, 3.25);
        Close.Exact<float>(Backend.ToArray(x), Backend.ToArray(y), "in place vs out of place");
        Close.All<float>(Backend.ToArray(x), xs.Select(v => v * 3.25f).ToArray(), Tolerance.ElementwiseRtol,
            Tolerance.ElementwiseAtol, "in place vs host");
    }

    [Test]
    public void AxpyOnViewsTouchesOnlyTheViews()
    {
        const int offset = 37, length = 203, total = 300;
        float[] before = TestData.Uniform<float>(1, total), xs = TestData.Uniform<float>(2, total);
        using var big = Backend.FromArray(before);
        using var source = Backend.FromArray(xs);
        var y = big.View(offset, length);
        var x = source.View(11, length);
        Backend.Axpy(y, x, -2.0);

        float[] after = Backend.ToArray(big);
        Close.Exact<float>(after.AsSpan(0, offset), before.AsSpan(0, offset), "elements before the view");
        Close.Exact<float>(after.AsSpan(offset + length), before.AsSpan(offset + length), "elements after the view");
        float[] expected = Enumerable.Range(0, length).Select(i => before[offset + i] - 2 * xs[11 + i]).ToArray();
        Close.All<float>(after.AsSpan(offset, length), expected, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol,
            "the view");
        Close.Exact<float>(Backend.ToArray(source), xs, "x is only read");
    }

    [Test]
    public void CopyBetweenOverlappingViewsBehavesLikeMemmove([Values(-5, 5, -40_000, 40_000)] int shift)
    {
        const int length = 100_000;
        int total = length + Math.Abs(shift);
        float[] data = TestData.Uniform<float>(3, total);
        int from = shift > 0 ? 0 : -shift, to = from + shift;
        foreach (var b in new IBackend<float>[] { Backend, Reference })
        {
            using var buffer = b.FromArray(data);
            b.Copy(buffer.View(to, length), buffer.View(from, length));
            float[] expected = (float[])data.Clone();
            Array.Copy(data, from, expected, to, length);
            Close.Exact<float>(b.ToArray(buffer), expected, $"{b.Name} shift {shift}");
        }
    }

    [Test]
    public void BadArgumentsThrowNamingTheOpAndTheArgument()
    {
        using var x = Backend.Allocate<float>(4);
        using var shorter = Backend.Allocate<float>(3);
        using var foreign = Reference.Allocate<float>(4);
        Expect.ArgumentError(() => Backend.Fill(foreign, 1), "Fill", "x");
        Expect.ArgumentError(() => Backend.Copy(shorter, x), "Copy", "y");
        Expect.ArgumentError(() => Backend.Scale(shorter, x, 2), "Scale", "y");
        Expect.ArgumentError(() => Backend.Scale(x, x, double.NaN), "Scale", "alpha");
        Expect.ArgumentError(() => Backend.Axpy(shorter, x, 2), "Axpy", "y");
        Expect.ArgumentError(() => Backend.Axpy(x, x, double.PositiveInfinity), "Axpy", "alpha");
    }
}

public sealed class Blas1Float64
{
    private static readonly CpuKernels[] Kernels = Expect.BothKernels;

    [TestCaseSource(nameof(Kernels))]
    public void ClosedForms(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var x = backend.FromArray(new[] { 1.0, -2.0, 3.5 });
        using var y = backend.FromArray(new[] { 1.0, 1.0, 1.0 });
        backend.Axpy(y, x, 0.5);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 1.5, 0.0, 2.75 }));
        backend.Scale(y, x, -2);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { -2.0, 4.0, -7.0 }));
        backend.Copy(y, x);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 1.0, -2.0, 3.5 }));
        backend.Fill(y, 2.5);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 2.5, 2.5, 2.5 }));
    }

    [TestCaseSource(nameof(Kernels))]
    public void ExtremeValuesFollowIeee(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var x = backend.FromArray(new[] { double.PositiveInfinity, double.NaN, 1e300, -1e300, double.NegativeInfinity });
        using var y = backend.Allocate<double>(5);
        backend.Scale(y, x, 0);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { double.NaN, double.NaN, 0.0, 0.0, double.NaN }));
        backend.Scale(y, x, 1e10);
        Assert.That(backend.ToArray(y),
            Is.EqualTo(new[] { double.PositiveInfinity, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.NegativeInfinity }));
        backend.Fill(y, 1);
        backend.Axpy(y, x, -1);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { double.NegativeInfinity, double.NaN, -1e300, 1e300, double.PositiveInfinity }));
        backend.Fill(y, double.NaN);
        Assert.That(backend.ToArray(y).All(double.IsNaN), Is.True);
    }

    [Test]
    public void FloatScaleOverflowsToInfinity([Values] CpuKernels kernels)
    {
        using var backend = new CpuBackend<float>(kernels);
        using var x = backend.FromArray(new[] { 1e30f, -1e30f, 3f });
        backend.Scale(x, x, 1e10);
        Assert.That(backend.ToArray(x), Is.EqualTo(new[] { float.PositiveInfinity, float.NegativeInfinity, 3e10f }));
    }

    /// <summary>f = Σ r ⊙ Scale(x, α): ∂f/∂x = α·r, itself a Scale.</summary>
    [TestCaseSource(nameof(Kernels))]
    public void ScaleGradient(CpuKernels kernels)
    {
        const int n = 37;
        const double alpha = -1.3;
        using var backend = new CpuBackend<double>(kernels);
        double[] xs = TestData.Normal<double>(1, n), r = TestData.Normal<double>(2, n);
        using var x = backend.FromArray(xs);
        using var y = backend.Allocate<double>(n);
        using var dy = backend.FromArray(r);
        backend.Scale(dy, dy, alpha);
        double[] analytic = backend.ToArray(dy);
        Expect.Passed(GradientCheck.Check(xs, analytic, () =>
        {
            backend.Upload(x, xs);
            backend.Scale(y, x, alpha);
            return Expect.Dot(backend.ToArray(y), r);
        }));
    }

    /// <summary>f = Σ r ⊙ (y + α·x): ∂f/∂x = α·r and ∂f/∂y = r.</summary>
    [TestCaseSource(nameof(Kernels))]
    public void AxpyGradient(CpuKernels kernels)
    {
        const int n = 29;
        const double alpha = 0.7;
        using var backend = new CpuBackend<double>(kernels);
        double[] xs = TestData.Normal<double>(3, n), ys = TestData.Normal<double>(4, n), r = TestData.Normal<double>(5, n);
        using var x = backend.FromArray(xs);
        using var y = backend.Allocate<double>(n);
        using var dx = backend.Allocate<double>(n);
        using var dy = backend.FromArray(r);
        backend.Scale(dx, dy, alpha);
        double F()
        {
            backend.Upload(x, xs);
            backend.Upload(y, ys);
            backend.Axpy(y, x, alpha);
            return Expect.Dot(backend.ToArray(y), r);
        }
        Expect.Passed(GradientCheck.Check(xs, backend.ToArray(dx), F));
        Expect.Passed(GradientCheck.Check(ys, r, F));
    }
}
