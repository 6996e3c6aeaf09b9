using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>SoftmaxForward in float64 on the reference and the SIMD backend: hand values and edge cases.</summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class SoftmaxTests(CpuKernels kernels)
{
    private CpuBackend<double> _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = new CpuBackend<double>(kernels);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend.Dispose();

    private double[] Softmax(double[] x, int rows, int columns)
    {
        var y = _backend.Allocate<double>(rows, columns);
        _backend.SoftmaxForward(y, _backend.FromArray(x, rows, columns));
        return _backend.ToArray(y);
    }

    [Test]
    public void HandComputedRows()
    {
        double e1 = Math.Exp(1), e2 = Math.Exp(2), s = 1 + e1 + e2;
        double inf = double.PositiveInfinity;
        double[] x =
        [
            1, 2, 3, // shifted by the max: [e^-2, e^-1, 1]/(1 + e^-1 + e^-2)
            1e30, 0, -inf, // a huge logit takes all the mass; -∞ gets exactly 0
            0, -inf, 0,
            -1e30, 1e30, 1e30,
            1000, 1000, 999,
        ];
        double[] expected =
        [
            1 / s, e1 / s, e2 / s,
            1, 0, 0,
            0.5, 0, 0.5,
            0, 0.5, 0.5,
            e1 / (2 * e1 + 1), e1 / (2 * e1 + 1), 1 / (2 * e1 + 1),
        ];
        Close.All<double>(Softmax(x, 5, 3), expected, 1e-14, 1e-300, "softmax rows");
    }

    [Test]
    public void RowsSumToOne([Values(1, 2, 7, 33)] int columns)
    {
        double[] y = Softmax(TestData.Normal<double>(columns, 4 * columns, std: 30), 4, columns);
        for (int row = 0; row < 4; row++)
            Assert.That(y.Skip(row * columns).Take(columns).Sum(), Is.EqualTo(1).Within(1e-14), $"row {row}");
    }

    [Test]
    public void UndefinedRowsAreNaNAsInPyTorch()
    {
        double inf = double.PositiveInfinity;
        // All -∞ (0/0), a +∞ logit (∞ - ∞), a NaN logit: the whole row is NaN; the finite row beside them is not.
        double[] y = Softmax([-inf, -inf, inf, 0, double.NaN, 1, 0, 0], 4, 2);
        Assert.That(y[..6], Is.All.NaN);
        Assert.That(y[6..], Is.EqualTo(new[] { 0.5, 0.5 }));
    }

    [Test]
    public void SingleColumnIsOne() =>
        Assert.That(Softmax([-5, 0, 1e30], 3, 1), Is.EqualTo(new[] { 1.0, 1.0, 1.0 }));

    [Test]
    public void BadArgumentsThrow()
    {
        var rank1 = Assert.Throws<ArgumentException>(() =>
            _backend.SoftmaxForward(_backend.Allocate<double>(6), _backend.Allocate<double>(6)));
        Assert.That(rank1!.Message, Does.Contain("SoftmaxForward").And.Contain("'x'"));
        var shape = Assert.Throws<ArgumentException>(() =>
            _backend.SoftmaxForward(_backend.Allocate<double>(3, 2), _backend.Allocate<double>(2, 3)));
        Assert.That(shape!.Message, Does.Contain("SoftmaxForward").And.Contain("'y'"));
    }
}
