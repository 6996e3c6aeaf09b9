using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>PReLU in float64 on the reference and the SIMD backend: hand values, gradients, edge cases.</summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class PReLUTests(CpuKernels kernels)
{
    private CpuBackend<double> _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = new CpuBackend<double>(kernels);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend.Dispose();

    private Tensor<double> T(double[] data, params int[] shape) => _backend.FromArray(data, shape);

    [Test]
    public void HandComputedValues()
    {
        // x (3,2), α = [0.1, -2]; column 0 uses 0.1, column 1 uses -2 where x ≤ 0.
        double[] x = [1, -1, -3, 2, 0, -0.5], alpha = [0.1, -2], dy = [10, 20, 30, 40, 50, 60];
        var y = _backend.Allocate<double>(3, 2);
        _backend.PReLUForward(y, T(x, 3, 2), T(alpha, 2));
        Close.All<double>(_backend.ToArray(y), [1, 2, -0.3, 2, 0, 1], 1e-15, 0, "y");

        var dx = _backend.Allocate<double>(3, 2);
        var dAlpha = T([123, 456], 2);
        _backend.PReLUBackward(dx, dAlpha, T(dy, 3, 2), T(x, 3, 2), T(alpha, 2));
        Close.All<double>(_backend.ToArray(dx), [10, -40, 3, 40, 5, -120], 1e-15, 0, "dx");
        // dα[0] = 30·(-3) + 50·0 = -90; dα[1] = 20·(-1) + 60·(-0.5) = -50 (overwritten, not added to 123/456).
        Close.All<double>(_backend.ToArray(dAlpha), [-90, -50], 1e-15, 0, "dα");
    }

    [Test]
    public void GradientCheckWithRespectToXAndAlpha()
    {
        const int rows = 6, features = 9;
        double[] x = TestData.Normal<double>(1, rows * features), alpha = TestData.Uniform<double>(2, features, -1, 1);
        double[] r = TestData.Normal<double>(3, rows * features);
        double Loss()
        {
            using var y = _backend.Allocate<double>(rows, features);
            _backend.PReLUForward(y, T(x, rows, features), T(alpha, features));
            return _backend.ToArray(y).Zip(r, (yi, ri) => yi * ri).Sum();
        }
        var dx = _backend.Allocate<double>(rows, features);
        var dAlpha = _backend.Allocate<double>(features);
        _backend.PReLUBackward(dx, dAlpha, T(r, rows, features), T(x, rows, features), T(alpha, features));

        var resultX = GradientCheck.Check(x, _backend.ToArray(dx), Loss);
        var resultAlpha = GradientCheck.Check(alpha, _backend.ToArray(dAlpha), Loss);
        Assert.That(resultX.Passed, $"dx: {resultX}");
        Assert.That(resultAlpha.Passed, $"dα: {resultAlpha}");
    }

    [Test]
    public void ExtremeValues()
    {
        double inf = double.PositiveInfinity;
        double[] x = [-inf, -1e30, 1e30, inf, double.NaN];
        var y = _backend.Allocate<double>(1, 5);
        _backend.PReLUForward(y, T(x, 1, 5), T([0.5, 0.5, 0.5, 0.5, 0.5], 5));
        Close.All<double>(_backend.ToArray(y), [-inf, -5e29, 1e30, inf, double.NaN], 0, 0, "y");
    }

    [Test]
    public void BadArgumentsThrow()
    {
        var x = _backend.Allocate<double>(4, 3);
        var alpha = _backend.Allocate<double>(3);
        var forward = Assert.Throws<ArgumentException>(() => _backend.PReLUForward(_backend.Allocate<double>(3, 4), x, alpha));
        Assert.That(forward!.Message, Does.Contain("PReLUForward").And.Contain("'y'"));
        var slopes = Assert.Throws<ArgumentException>(() => _backend.PReLUForward(x, x, _backend.Allocate<double>(4)));
        Assert.That(slopes!.Message, Does.Contain("PReLUForward").And.Contain("'alpha'"));
        var backward = Assert.Throws<ArgumentException>(() =>
            _backend.PReLUBackward(x, _backend.Allocate<double>(2), x, x, alpha));
        Assert.That(backward!.Message, Does.Contain("PReLUBackward").And.Contain("'dAlpha'"));
        var rank = Assert.Throws<ArgumentException>(() =>
            _backend.PReLUBackward(x, alpha, x, _backend.Allocate<double>(12), alpha));
        Assert.That(rank!.Message, Does.Contain("PReLUBackward").And.Contain("'x'"));
    }
}
