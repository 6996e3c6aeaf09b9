using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Losses;

/// <summary>
/// Float64 central-difference checks (PyTorch gradcheck defaults) of each loss w.r.t. its input: the loss itself is
/// the scalar f, and the op's gradient output is the analytic ∂f/∂input.
/// </summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class LossGradientCheckTests(CpuKernels kernels)
{
    private CpuBackend<double> _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = new CpuBackend<double>(kernels);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend.Dispose();

    [TestCase(4, 5, 0.0)]
    [TestCase(4, 5, 0.1)]
    [TestCase(3, 17, 0.3)]
    [TestCase(1, 2, 0.0)]
    public void SoftmaxCrossEntropy(int rows, int classes, double labelSmoothing)
    {
        double[] logits = TestData.Normal<double>(11, rows * classes, std: 2);
        int[] labels = TestData.Labels(12, rows, classes);
        using var x = _backend.FromArray(logits, rows, classes);
        using var y = _backend.FromArray(labels, rows);
        using var loss = _backend.Allocate<double>(1);
        using var dx = _backend.Allocate<double>(rows, classes);
        _backend.SoftmaxCrossEntropy(loss, dx, x, y, labelSmoothing);
        double[] analytic = _backend.ToArray(dx);

        var result = GradientCheck.Check(logits, analytic, () =>
        {
            _backend.Upload(x, logits);
            _backend.SoftmaxCrossEntropy(loss, null, x, y, labelSmoothing);
            return _backend.ToArray(loss)[0];
        });
        Assert.That(result.Passed, result.ToString());
        Assert.That(analytic.Any(g => Math.Abs(g) > 1e-3), "the gradient is not trivially zero");
    }

    [TestCase(PointwiseLoss.Mse, 12)]
    [TestCase(PointwiseLoss.Mse, 1)]
    [TestCase(PointwiseLoss.BinaryCrossEntropyWithLogits, 15)]
    [TestCase(PointwiseLoss.BinaryCrossEntropyWithLogits, 1)]
    public void Pointwise(PointwiseLoss kind, int length)
    {
        double[] input = TestData.Normal<double>(21, length, std: 3);
        double[] target = LossRun.Targets<double>(kind, 22, length);
        using var x = _backend.FromArray(input, length);
        using var t = _backend.FromArray(target, length);
        using var loss = _backend.Allocate<double>(1);
        using var dx = _backend.Allocate<double>(length);
        LossRun.Call(_backend, kind, loss, dx, x, t);
        double[] analytic = _backend.ToArray(dx);

        var result = GradientCheck.Check(input, analytic, () =>
        {
            _backend.Upload(x, input);
            LossRun.Call(_backend, kind, loss, null, x, t);
            return _backend.ToArray(loss)[0];
        });
        Assert.That(result.Passed, result.ToString());
        Assert.That(analytic.Any(g => Math.Abs(g) > 1e-3), "the gradient is not trivially zero");
    }
}
