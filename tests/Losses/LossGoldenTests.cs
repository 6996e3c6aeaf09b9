using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Losses;

/// <summary>
/// Float64 losses and gradients against PyTorch 1.13 (<c>/usr/bin/python3 tests/golden/losses.py</c> prints every
/// literal below), on the reference and on the SIMD kernels.
/// </summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class LossGoldenTests(CpuKernels kernels)
{
    private const double Rtol = 1e-12, GradientAtol = 1e-15;
    private const double Inf = double.PositiveInfinity;

    private static readonly double[] Basic = [0.5, -1.25, 2.0, 0.0, 3.5, 1.0, -2.0, 0.75, -0.3, -0.1, 0.2, -4.0];
    private static readonly int[] BasicLabels = [2, 0, 3];
    private static readonly double[] Huge = [1e30, -1e30, 0.0, -1e30, 1e30, 1e30, 5.0, -1e30, 4.0];
    private static readonly int[] HugeLabels = [0, 2, 2];
    private static readonly double[] NegativeInfinity = [-Inf, 1.5, -0.5, 0.25, -Inf, -Inf, 1.0, 2.0, 3.0];
    private static readonly int[] NegativeInfinityLabels = [1, 0, 0];

    private CpuBackend<double> _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = new CpuBackend<double>(kernels);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend.Dispose();

    [Test]
    public void CrossEntropyBasic() => AssertCrossEntropy(Basic, BasicLabels, 0, 1.844667242371561,
        [0.05323118334403608, 0.009250192644226803, -0.09476772073920521, 0.032286344750942345, -0.043503370545223644,
         0.023790692096626626, 0.00118446881393355, 0.0185282096346635, 0.08558315276733247, 0.104531498842063,
         0.14110276438107955, -0.33121741599047505]);

    [Test]
    public void CrossEntropyBasicLabelSmoothing() => AssertCrossEntropy(Basic, BasicLabels, 0.1, 1.8921672423715612,
        [0.044897850010702754, 0.0009168593108934714, -0.0697677207392052, 0.02395301141760902, -0.018503370545223583,
         0.0154573587632933, -0.007148864519399782, 0.010194876301330171, 0.07724981943399915, 0.09619816550872969,
         0.13276943104774624, -0.3062174159904751]);

    [Test]
    public void CrossEntropyHugeLogits() => AssertCrossEntropy(Huge, HugeLabels, 0, 0.668802956026056,
        [0.0, 0.0, 0.0, 0.0, 0.16666666666666666, -0.16666666666666666, 0.2436861928766683, 0.0, -0.2436861928766683]);

    [Test]
    public void CrossEntropyHugeLogitsLabelSmoothing() => AssertCrossEntropy(Huge, HugeLabels, 0.1, 6.666666666666668e+28,
        [0.022222222222222254, -0.011111111111111112, -0.011111111111111112, -0.011111111111111112, 0.15555555555555556,
         -0.14444444444444446, 0.23257508176555716, -0.011111111111111112, -0.2214639706544461]);

    [Test]
    public void CrossEntropyNegativeInfinityLogitsStayFinite() => AssertCrossEntropy(NegativeInfinity,
        NegativeInfinityLabels, 0, 0.8448446584957844,
        [0.0, -0.03973430734070589, 0.03973430734070584, 0.0, 0.0, 0.0, -0.30332314227653984, 0.08157615701826587,
         0.2217469852582739]);

    /// <summary>With ε &gt; 0 the mean over classes includes -log 0, so PyTorch's loss is +inf; the gradient is finite.</summary>
    [Test]
    public void CrossEntropyNegativeInfinityLogitsLabelSmoothing() => AssertCrossEntropy(NegativeInfinity,
        NegativeInfinityLabels, 0.1, Inf,
        [-0.011111111111111112, -0.017512085118483647, 0.028623196229594736, 0.022222222222222254, -0.011111111111111112,
         -0.011111111111111112, -0.28110092005431764, 0.07046504590715477, 0.21063587414716284]);

    [Test]
    public void CrossEntropyBatchOfOne() => AssertCrossEntropy([0.5, -1.25, 2.0], [1], 0.1, 3.315955316435366,
        [0.14348684877411097, -0.9026065930068969, 0.7591197442327859]);

    [Test]
    public void MseLoss() => AssertPointwise(PointwiseLoss.Mse,
        [0.5, -1.25, 2.0, 3.5, 1.0, -2.0], [0.0, -1.0, 2.5, 3.0, -0.5, -2.0], 0.5104166666666666,
        [0.16666666666666666, -0.08333333333333333, -0.16666666666666666, 0.16666666666666666, 0.5, 0.0]);

    [Test]
    public void BinaryCrossEntropyWithLogitsSoftTargets() => AssertPointwise(PointwiseLoss.BinaryCrossEntropyWithLogits,
        [0.5, -1.25, 2.0, 0.0, 3.5, 1.0, -2.0, 0.75], [1.0, 0.0, 0.25, 0.5, 0.9, 0.1, 0.0, 1.0], 0.6441115475096393,
        [-0.047192583599768176, 0.027837517353163605, 0.07884963474723529, 0.0, 0.008835971156080452,
         0.07888232232875061, 0.014900365252764693, -0.04010266260307588]);

    [Test]
    public void BinaryCrossEntropyWithLogitsExtreme() => AssertPointwise(PointwiseLoss.BinaryCrossEntropyWithLogits,
        [1e30, -1e30, -30.0, 30.0, 2.0, 1e30], [1.0, 0.0, 1.0, 0.0, 0.3, 1.0], 10.254488001840526,
        [0.0, 0.0, -0.16666666666665106, 0.1666666666666511, 0.09679951299631373, 0.0]);

    /// <summary>
    /// A confident, correct prediction of a hard target: loss log1p(e^-30) and gradient -e^-30/(1+e^-30), both
    /// ~9.4e-14, to full precision (PyTorch's log(1 + e^-30) and σ(30) - 1 keep only ~3 of these digits).
    /// </summary>
    [Test]
    public void BinaryCrossEntropyWithLogitsKeepsTinyLossAndGradientOfHardTargets()
    {
        double e = Math.Exp(-30);
        var (loss, gradient) = LossRun.Pointwise(_backend, PointwiseLoss.BinaryCrossEntropyWithLogits, [30.0, -30.0], [1.0, 0.0]);
        AssertLoss(loss, e - e * e / 2);
        Close.All<double>(gradient, [-e / (1 + e) / 2, e / (1 + e) / 2], Rtol, 0, "dLogits");
    }

    private void AssertCrossEntropy(double[] logits, int[] labels, double labelSmoothing, double loss, double[] gradient)
    {
        var (actualLoss, actualGradient) = LossRun.SoftmaxCrossEntropy(_backend, logits, labels, labelSmoothing);
        AssertLoss(actualLoss, loss);
        Close.All<double>(actualGradient, gradient, Rtol, GradientAtol, "dLogits");
        var (lossOnly, _) = LossRun.SoftmaxCrossEntropy(_backend, logits, labels, labelSmoothing, withGradient: false);
        Assert.That(lossOnly, Is.EqualTo(actualLoss), "loss without dLogits");
    }

    private void AssertPointwise(PointwiseLoss kind, double[] input, double[] target, double loss, double[] gradient)
    {
        var (actualLoss, actualGradient) = LossRun.Pointwise(_backend, kind, input, target);
        AssertLoss(actualLoss, loss);
        Close.All<double>(actualGradient, gradient, Rtol, GradientAtol, "gradient");
        var (lossOnly, _) = LossRun.Pointwise(_backend, kind, input, target, withGradient: false);
        Assert.That(lossOnly, Is.EqualTo(actualLoss), "loss without gradient");
    }

    private static void AssertLoss(double actual, double expected)
    {
        if (double.IsInfinity(expected)) Assert.That(actual, Is.EqualTo(expected), "loss");
        else Assert.That(Math.Abs(actual - expected), Is.LessThanOrEqualTo(Rtol * Math.Abs(expected)), $"loss {actual:R} vs {expected:R}");
    }
}
