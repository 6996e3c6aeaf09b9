using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class GatherRowsConformance(string backendName) : ElementwiseConformance(backendName)
{
    private static float[] GatherRows(IBackend<float> backend, float[] data, int rows, int columns, int[] indices)
    {
        using var x = backend.FromArray(data, rows, columns);
        using var index = backend.FromArray(indices);
        using var y = backend.Allocate<float>(indices.Length, columns);
        backend.GatherRows(y, x, index);
        return backend.ToArray(y);
    }

    /// <summary>Row b of the result is row indices[b] of x, computed on the host.</summary>
    private static float[] Expected(float[] data, int columns, int[] indices) =>
        indices.SelectMany(i => data.Skip(i * columns).Take(columns)).ToArray();

    [Test]
    public void CopiesTheIndexedRowsForAwkwardAndLargeShapes()
    {
        foreach (var (rows, columns) in TestData.AwkwardShapes.Where(s => s.Rows > 0).Concat([(1_000, 300)]))
        {
            float[] data = TestData.Normal<float>(rows * 7 + columns, rows * columns);
            foreach (int batch in new[] { 0, 1, 2 * rows + 1 })
            {
                // With 2R+1 draws from R rows, some rows repeat.
                int[] indices = TestData.Labels(batch + rows, batch, rows);
                string what = $"({rows},{columns}) batch {batch}";
                Close.Exact<float>(GatherRows(Backend, data, rows, columns, indices), Expected(data, columns, indices), what);
                Close.Exact<float>(GatherRows(Reference, data, rows, columns, indices), Expected(data, columns, indices),
                    "reference " + what);
            }
        }
    }

    [Test]
    public void ViewsTouchOnlyTheirElements()
    {
        const int rows = 5, columns = 9, batch = 4;
        float[] big = TestData.Uniform<float>(1, 3 + rows * columns);
        float[] outside = TestData.Uniform<float>(2, 2 + batch * columns + 8);
        int[] indices = [4, 0, 4, 2];
        using var source = Backend.FromArray(big);
        using var destination = Backend.FromArray(outside);
        using var index = Backend.FromArray(indices);
        Backend.GatherRows(destination.View(2, batch, columns), source.View(3, rows, columns), index);

        float[] result = Backend.ToArray(destination);
        Close.Exact<float>(result.AsSpan(0, 2), outside.AsSpan(0, 2), "elements before y");
        Close.Exact<float>(result.AsSpan(2 + batch * columns), outside.AsSpan(2 + batch * columns), "elements after y");
        Close.Exact<float>(result.AsSpan(2, batch * columns), Expected(big[3..], columns, indices), "y");
    }

    [Test]
    public void IndexOutsideTheRowsThrowsNamingPositionAndValueAndLeavesYUntouched([Values(-1, 6, int.MinValue)] int bad)
    {
        const int rows = 6, columns = 3;
        foreach (var b in new IBackend<float>[] { Backend, Reference })
        {
            using var x = b.FromArray(TestData.Uniform<float>(1, rows * columns), rows, columns);
            using var index = b.FromArray(new[] { 0, 5, 2, bad, 1 });
            using var y = b.FromArray(Enumerable.Repeat(7f, 5 * columns).ToArray(), 5, columns);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => b.GatherRows(y, x, index));
            Assert.That(error!.ParamName, Is.EqualTo("indices"));
            Assert.That(error.ActualValue, Is.EqualTo(bad));
            Assert.That(error.Message, Does.Contain("GatherRows").And.Contain("'indices'")
                .And.Contain("position 3").And.Contain(bad.ToString()));
            Assert.That(b.ToArray(y), Is.All.EqualTo(7f), $"{b.Name}: y is written only after every index is checked");
        }
    }

    [Test]
    public void BadArgumentsThrowNamingTheOpAndTheArgument()
    {
        using var x = Backend.Allocate<float>(5, 3);
        using var flat = Backend.Allocate<float>(15);
        using var y = Backend.Allocate<float>(2, 3);
        using var wide = Backend.Allocate<float>(2, 4);
        using var index = Backend.Allocate<int>(2);
        using var longIndex = Backend.Allocate<int>(3);
        Expect.ArgumentError(() => Backend.GatherRows(wide, x, index), "GatherRows", "y");
        Expect.ArgumentError(() => Backend.GatherRows(y, flat, index), "GatherRows", "x");
        Expect.ArgumentError(() => Backend.GatherRows(y, x, longIndex), "GatherRows", "indices");
        Expect.ArgumentError(() => Backend.GatherRows(x.View(3, 2, 3), x, index), "GatherRows", "y");
    }
}

public sealed class GatherRowsFloat64
{
    private static readonly CpuKernels[] Kernels = Expect.BothKernels;

    [TestCaseSource(nameof(Kernels))]
    public void ClosedForm(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var x = backend.FromArray(new[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }, 3, 2);
        using var index = backend.FromArray(new[] { 2, 0, 2 });
        using var y = backend.Allocate<double>(3, 2);
        backend.GatherRows(y, x, index);
        Assert.That(backend.ToArray(y), Is.EqualTo(new[] { 5.0, 6.0, 1.0, 2.0, 5.0, 6.0 }));
    }

    /// <summary>f = Σ r ⊙ GatherRows(x, indices): ∂f/∂x[i, :] = Σ_{b : indices[b] = i} r[b, :], a scatter-add
    /// built from Axpy on row views (rows gathered twice get both contributions, rows never gathered get 0).</summary>
    [TestCaseSource(nameof(Kernels))]
    public void GradientWithRespectToX(CpuKernels kernels)
    {
        const int rows = 6, columns = 5;
        int[] indices = [3, 0, 3, 5, 1, 3];
        using var backend = new CpuBackend<double>(kernels);
        double[] xs = TestData.Normal<double>(1, rows * columns), r = TestData.Normal<double>(2, indices.Length * columns);
        using var x = backend.FromArray(xs, rows, columns);
        using var index = backend.FromArray(indices);
        using var y = backend.Allocate<double>(indices.Length, columns);
        using var dy = backend.FromArray(r, indices.Length, columns);
        using var dx = backend.Allocate<double>(rows, columns);
        for (int b = 0; b < indices.Length; b++)
            backend.Axpy(dx.View(indices[b] * columns, columns), dy.View(b * columns, columns), 1);
        double[] analytic = backend.ToArray(dx);
        Assert.That(analytic.AsSpan(2 * columns, columns).ToArray(), Is.All.EqualTo(0.0), "row 2 is never gathered");

        Expect.Passed(GradientCheck.Check(xs, analytic, () =>
        {
            backend.Upload(x, xs);
            backend.GatherRows(y, x, index);
            return Expect.Dot(backend.ToArray(y), r);
        }));
    }
}
