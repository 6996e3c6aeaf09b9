using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class ColumnSumConformance(string backendName) : ElementwiseConformance(backendName)
{
    /// <summary>Tall and narrow (row blocks), wide (column split) and in between, all past 2·32K elements.</summary>
    private static readonly (int Rows, int Columns)[] LargeShapes =
        [(100_000, 3), (200, 700), (600, 1_023), (70, 2_000), (3, 40_000), (1, 70_000)];

    private static float[] ColumnSum(IBackend<float> backend, float[] data, int rows, int columns)
    {
        using var x = backend.FromArray(data, rows, columns);
        using var y = backend.FromArray(Enumerable.Repeat(9f, columns).ToArray());
        backend.ColumnSum(y, x);
        return backend.ToArray(y);
    }

    [Test]
    public void MatchesTheReferenceForAwkwardAndLargeShapes()
    {
        foreach (var (rows, columns) in TestData.AwkwardShapes.Concat(LargeShapes))
        {
            float[] data = TestData.Normal<float>(rows + columns, rows * columns);
            Agree($"({rows},{columns})", b => ColumnSum(b, data, rows, columns), Tolerance.ReductionRtol,
                Tolerance.ReductionAtol);
        }
    }

    [Test]
    public void NoRowsGivesZeros() => Assert.That(ColumnSum(Backend, [], 0, 4), Is.EqualTo(new float[4]));

    [Test]
    public void OneRowIsThatRow()
    {
        float[] row = TestData.Normal<float>(8, 77);
        Close.Exact<float>(ColumnSum(Backend, row, 1, 77), row);
    }

    [Test]
    public void NonFiniteValuesPropagateToTheirColumnOnly([Values(5, 100_000)] int rows)
    {
        const int columns = 6;
        float[] data = TestData.Uniform<float>(rows, rows * columns);
        data[(rows - 1) * columns + 1] = float.NaN;
        data[(rows / 2) * columns + 4] = float.NegativeInfinity;
        float[] sums = ColumnSum(Backend, data, rows, columns);
        Assert.That(sums[1], Is.NaN);
        Assert.That(sums[4], Is.EqualTo(float.NegativeInfinity));
        foreach (int f in new[] { 0, 2, 3, 5 }) Assert.That(float.IsFinite(sums[f]), Is.True, $"column {f}");
    }

    [Test]
    public void ViewsTouchOnlyTheirElements([Values(3, 20_000)] int rows)
    {
        const int columns = 7, before = 5, after = 13;
        float[] big = TestData.Uniform<float>(1, before + rows * columns + after);
        float[] outside = TestData.Uniform<float>(2, 40);
        using var source = Backend.FromArray(big);
        using var destination = Backend.FromArray(outside);
        Backend.ColumnSum(destination.View(11, columns), source.View(before, rows, columns));

        float[] result = Backend.ToArray(destination);
        Close.Exact<float>(result.AsSpan(0, 11), outside.AsSpan(0, 11), "elements before y");
        Close.Exact<float>(result.AsSpan(11 + columns), outside.AsSpan(11 + columns), "elements after y");
        float[] expected = ColumnSum(Reference, big[before..^after], rows, columns);
        Close.All<float>(result.AsSpan(11, columns), expected, Tolerance.ReductionRtol, Tolerance.ReductionAtol, "y");
        Close.Exact<float>(Backend.ToArray(source), big, "x is only read");
    }

    [Test]
    public void BadArgumentsThrowNamingTheOpAndTheArgument()
    {
        using var x = Backend.Allocate<float>(4, 3);
        using var flat = Backend.Allocate<float>(12);
        using var y = Backend.Allocate<float>(3);
        using var wrong = Backend.Allocate<float>(4);
        Expect.ArgumentError(() => Backend.ColumnSum(wrong, x), "ColumnSum", "y");
        Expect.ArgumentError(() => Backend.ColumnSum(y, flat), "ColumnSum", "x");
    }
}

public sealed class ColumnSumFloat64
{
    private static readonly CpuKernels[] Kernels = Expect.BothKernels;

    [TestCaseSource(nameof(Kernels))]
    public void ClosedForm(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var x = backend.FromArray(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, 3, 2);
        using var y = backend.Allocate<double>(2);
        backend.ColumnSum(y, x);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 9.0, 12.0 }));
    }

    /// <summary>Integers keep every partial sum exact, so each path must give Σ_n (n·F + f) exactly.</summary>
    [Test]
    public void EveryPathIsExactOnIntegers([Values(1, 2)] int threads)
    {
        using var backend = new CpuBackend<double>(CpuKernels.Simd, threads);
        foreach (var (rows, columns) in new[] { (100_000, 3), (70, 2_000), (2, 5) })
        {
            using var x = backend.FromArray(Enumerable.Range(0, rows * columns).Select(i => (double)i).ToArray(), rows, columns);
            using var y = backend.Allocate<double>(columns);
            backend.ColumnSum(y, x);
            double[] expected = Enumerable.Range(0, columns)
                .Select(f => (double)columns * rows * (rows - 1) / 2 + (double)f * rows).ToArray();
            Assert.That(backend.ToArray(y), Is.EqualTo(expected), $"({rows},{columns})");
        }
    }

    [Test]
    public void SimdResultDoesNotDependOnTheThreadCount()
    {
        foreach (var (rows, columns) in new[] { (100_000, 5), (50, 5_000), (600, 1_000) })
        {
            float[] data = TestData.Normal<float>(rows, rows * columns);
            float[][] results = new[] { 1, 2, 3, 8 }.Select(threads =>
            {
                using var backend = new CpuBackend<float>(CpuKernels.Simd, threads);
                using var x = backend.FromArray(data, rows, columns);
                using var y = backend.Allocate<float>(columns);
                backend.ColumnSum(y, x);
                return backend.ToArray(y);
            }).ToArray();
            foreach (float[] result in results) Close.Exact<float>(result, results[0], $"({rows},{columns})");
        }
    }

    /// <summary>f = Σ_f r[f]·ColumnSum(x)[f]: ∂f/∂x[n, f] = r[f], r broadcast over the rows (a GatherRows of r
    /// as a one-row matrix with every index 0).</summary>
    [TestCaseSource(nameof(Kernels))]
    public void Gradient(CpuKernels kernels)
    {
        const int rows = 6, columns = 11;
        using var backend = new CpuBackend<double>(kernels);
        double[] xs = TestData.Normal<double>(1, rows * columns), r = TestData.Normal<double>(2, columns);
        using var x = backend.FromArray(xs, rows, columns);
        using var y = backend.Allocate<double>(columns);
        using var dy = backend.FromArray(r, 1, columns);
        using var zeros = backend.Allocate<int>(rows);
        using var dx = backend.Allocate<double>(rows, columns);
        backend.GatherRows(dx, dy, zeros);
        Expect.Passed(GradientCheck.Check(xs, backend.ToArray(dx), () =>
        {
            backend.Upload(x, xs);
            backend.ColumnSum(y, x);
            return Expect.Dot(backend.ToArray(y), r);
        }));
    }
}
