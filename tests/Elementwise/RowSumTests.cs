using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class RowSumConformance(string backendName) : ElementwiseConformance(backendName)
{
    /// <summary>Many short rows, a few long ones and one very long row, all past 2·32K elements.</summary>
    private static readonly (int Rows, int Columns)[] LargeShapes = [(100_000, 3), (300, 1_000), (1, 100_003)];

    private static float[] RowSum(IBackend<float> backend, float[] data, int rows, int columns)
    {
        using var x = backend.FromArray(data, rows, columns);
        using var y = backend.FromArray(Enumerable.Repeat(9f, rows).ToArray());
        backend.RowSum(y, x);
        return backend.ToArray(y);
    }

    [Test]
    public void MatchesTheReferenceForAwkwardAndLargeShapes()
    {
        foreach (var (rows, columns) in TestData.AwkwardShapes.Concat(LargeShapes).Concat([(4, 0)]))
        {
            float[] data = TestData.Normal<float>(rows + columns, rows * columns);
            Agree($"({rows},{columns})", b => RowSum(b, data, rows, columns), Tolerance.ReductionRtol,
                Tolerance.ReductionAtol);
        }
    }

    [Test]
    public void NoColumnsGivesZeros() => Assert.That(RowSum(Backend, [], 3, 0), Is.EqualTo(new float[3]));

    [Test]
    public void NonFiniteValuesPropagateToTheirRowOnly([Values(5, 100)] int columns)
    {
        const int rows = 4;
        float[] data = TestData.Uniform<float>(columns, rows * columns);
        data[1 * columns + columns - 1] = float.NaN;
        data[2 * columns] = float.PositiveInfinity;
        data[3 * columns + 1] = float.PositiveInfinity;
        data[3 * columns + 2] = float.NegativeInfinity;
        float[] sums = RowSum(Backend, data, rows, columns);
        Assert.That(float.IsFinite(sums[0]), Is.True);
        Assert.That(sums[1], Is.NaN);
        Assert.That(sums[2], Is.EqualTo(float.PositiveInfinity));
        Assert.That(sums[3], Is.NaN, "∞ + (-∞)");
    }

    [Test]
    public void ViewsTouchOnlyTheirElements()
    {
        const int rows = 9, columns = 21;
        float[] big = TestData.Uniform<float>(3, 4 + rows * columns + 6);
        float[] outside = TestData.Uniform<float>(4, 30);
        using var source = Backend.FromArray(big);
        using var destination = Backend.FromArray(outside);
        Backend.RowSum(destination.View(7, rows), source.View(4, rows, columns));

        float[] result = Backend.ToArray(destination);
        Close.Exact<float>(result.AsSpan(0, 7), outside.AsSpan(0, 7), "elements before y");
        Close.Exact<float>(result.AsSpan(7 + rows), outside.AsSpan(7 + rows), "elements after y");
        Close.All<float>(result.AsSpan(7, rows), RowSum(Reference, big[4..^6], rows, columns), Tolerance.ReductionRtol,
            Tolerance.ReductionAtol, "y");
    }

    [Test]
    public void BadArgumentsThrowNamingTheOpAndTheArgument()
    {
        using var x = Backend.Allocate<float>(4, 3);
        using var cube = Backend.Allocate<float>(2, 2, 3);
        using var y = Backend.Allocate<float>(4);
        using var wrong = Backend.Allocate<float>(3);
        Expect.ArgumentError(() => Backend.RowSum(wrong, x), "RowSum", "y");
        Expect.ArgumentError(() => Backend.RowSum(y, cube), "RowSum", "x");
    }
}

public sealed class RowSumFloat64
{
    private static readonly CpuKernels[] Kernels = Expect.BothKernels;

    [TestCaseSource(nameof(Kernels))]
    public void ClosedForm(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var x = backend.FromArray(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, 2, 3);
        using var y = backend.Allocate<double>(2);
        backend.RowSum(y, x);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 6.0, 15.0 }));
    }

    [Test]
    public void SimdResultDoesNotDependOnTheThreadCount()
    {
        const int rows = 700, columns = 333;
        float[] data = TestData.Normal<float>(rows, rows * columns);
        float[][] results = new[] { 1, 2, 5 }.Select(threads =>
        {
            using var backend = new CpuBackend<float>(CpuKernels.Simd, threads);
            using var x = backend.FromArray(data, rows, columns);
            using var y = backend.Allocate<float>(rows);
            backend.RowSum(y, x);
            return backend.ToArray(y);
        }).ToArray();
        foreach (float[] result in results) Close.Exact<float>(result, results[0]);
    }

    /// <summary>f = Σ_n r[n]·RowSum(x)[n]: ∂f/∂x[n, f] = r[n], r broadcast over the columns.</summary>
    [TestCaseSource(nameof(Kernels))]
    public void Gradient(CpuKernels kernels)
    {
        const int rows = 7, columns = 10;
        using var backend = new CpuBackend<double>(kernels);
        double[] xs = TestData.Normal<double>(1, rows * columns), r = TestData.Normal<double>(2, rows);
        double[] analytic = Enumerable.Range(0, rows * columns).Select(i => r[i / columns]).ToArray();
        using var x = backend.FromArray(xs, rows, columns);
        using var y = backend.Allocate<double>(rows);
        Expect.Passed(GradientCheck.Check(xs, analytic, () =>
        {
            backend.Upload(x, xs);
            backend.RowSum(y, x);
            return Expect.Dot(backend.ToArray(y), r);
        }));
    }
}
