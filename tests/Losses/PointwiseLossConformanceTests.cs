using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Losses;

/// <summary>MseLoss and BinaryCrossEntropyWithLogits on the backend under test against the float32 reference,
/// edge cases and bad arguments; written once for both.</summary>
public abstract class PointwiseLossConformanceTests(string backend, PointwiseLoss kind) : ConformanceTest(backend)
{
    /// <summary>The loss under test.</summary>
    protected PointwiseLoss Kind => kind;

    /// <summary>Every length 1..257 (0 throws, see <see cref="BadArgumentsThrow"/>) and one spanning several blocks,
    /// which runs the parallel path.</summary>
    private static IEnumerable<int> Lengths => TestData.AllLengths.Where(n => n > 0).Append(100_003);

    [Test]
    public void MatchesReference()
    {
        foreach (int length in Lengths)
        {
            float[] input = TestData.Normal<float>(length, length, std: 4);
            float[] target = LossRun.Targets<float>(kind, length + 5000, length);
            var (loss, gradient) = LossRun.Pointwise(Backend, kind, input, target);
            var (expectedLoss, expectedGradient) = LossRun.Pointwise(Reference, kind, input, target);
            Close.All<float>([loss], [expectedLoss], Tolerance.ReductionRtol, Tolerance.ReductionAtol, $"length {length} loss");
            Close.All<float>(gradient, expectedGradient, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol, $"length {length} gradient");

            var (lossOnly, _) = LossRun.Pointwise(Backend, kind, input, target, withGradient: false);
            Assert.That(lossOnly, Is.EqualTo(loss), $"length {length}: loss without gradient");
        }
    }

    /// <summary>The mean of a batch of one is its single term.</summary>
    [Test]
    public void BatchOfOneIsItsTerm()
    {
        var (loss, gradient) = LossRun.Pointwise(Backend, kind, [1.5f], [0.25f]);
        var (expectedLoss, expectedGradient) = kind == PointwiseLoss.Mse
            ? (1.5625, 2.5)
            : (1.5 - 1.5 * 0.25 + Math.Log(1 + Math.Exp(-1.5)), 1 / (1 + Math.Exp(-1.5)) - 0.25);
        Assert.That(loss, Is.EqualTo(expectedLoss).Within(1e-6));
        Assert.That(gradient![0], Is.EqualTo(expectedGradient).Within(1e-6));
    }

    [Test]
    public void NaNPropagatesToTheLoss()
    {
        var (loss, gradient) = LossRun.Pointwise(Backend, kind, [0.5f, float.NaN, -1f], [0f, 1f, 0.5f]);
        Assert.That(loss, Is.NaN);
        Assert.That(float.IsNaN(gradient![1]) && float.IsFinite(gradient[0]) && float.IsFinite(gradient[2]),
            "NaN stays in its element");
    }

    [Test]
    public void BadArgumentsThrow()
    {
        string op = LossRun.OpName(kind), input = LossRun.InputName(kind);
        using var x = OnBackend(TestData.Normal<float>(7, 12), 3, 4);
        using var t = OnBackend(TestData.Uniform<float>(8, 12, 0, 1), 3, 4);
        using var flatTarget = OnBackend(TestData.Uniform<float>(8, 12, 0, 1), 12);
        using var loss = Backend.Allocate<float>(1);
        using var wideLoss = Backend.Allocate<float>(3);
        using var wrongGradient = Backend.Allocate<float>(4, 3);
        using var empty = Backend.Allocate<float>(0, 4);

        AssertFails(op, () => LossRun.Call(Backend, kind, loss, null, x, flatTarget), "target");
        AssertFails(op, () => LossRun.Call(Backend, kind, loss, wrongGradient, x, t), kind == PointwiseLoss.Mse ? "dPrediction" : "dLogits");
        AssertFails(op, () => LossRun.Call(Backend, kind, wideLoss, null, x, t), "loss");
        AssertFails(op, () => LossRun.Call(Backend, kind, loss, null, empty, empty), input);
    }

    private static void AssertFails(string op, Action call, string argument)
    {
        var exception = Assert.Throws(Is.InstanceOf<ArgumentException>(), call);
        Assert.That(exception!.Message, Does.Contain(op).And.Contain($"'{argument}'"));
    }
}

/// <summary><see cref="IBackend{T}.MseLoss"/>.</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class MseLossConformanceTests(string backend) : PointwiseLossConformanceTests(backend, PointwiseLoss.Mse)
{
    /// <summary>Float32 squares of ±1e30 overflow to +inf, as in PyTorch; the gradient 2(p - t)/n stays finite.</summary>
    [Test]
    public void HugeDifferencesOverflowToInfinityNotNaN()
    {
        var (loss, gradient) = LossRun.Pointwise(Backend, Kind, [1e30f, -1e30f], [-1e30f, 0f]);
        Assert.That(loss, Is.EqualTo(float.PositiveInfinity));
        Close.All<float>(gradient, [2e30f, -1e30f], 1e-6, 0, "dPrediction");
    }
}

/// <summary><see cref="IBackend{T}.BinaryCrossEntropyWithLogits"/>.</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class BinaryCrossEntropyWithLogitsConformanceTests(string backend)
    : PointwiseLossConformanceTests(backend, PointwiseLoss.BinaryCrossEntropyWithLogits)
{
    /// <summary>Logits of ±1e30 in float32: PyTorch's float64 values from tests/golden/losses.py.</summary>
    [Test]
    public void ExtremeLogitsStayFinite()
    {
        var (loss, gradient) = LossRun.Pointwise(Backend, Kind, [1e30f, -1e30f, -30f, 30f, 2f, 1e30f], [1f, 0f, 1f, 0f, 0.3f, 1f]);
        Assert.That(loss, Is.EqualTo(10.254488001840526).Within(1e-5));
        Close.All<float>(gradient, [0f, 0f, -0.16666666666665106f, 0.1666666666666511f, 0.09679951299631373f, 0f],
            1e-6, 1e-8, "dLogits");
    }

    /// <summary>Soft targets: the loss is minimal (its gradient 0) where σ(x) = t.</summary>
    [Test]
    public void GradientVanishesWhereSigmoidEqualsTarget()
    {
        float[] targets = [0.1f, 0.5f, 0.8f];
        float[] logits = targets.Select(t => MathF.Log(t / (1 - t))).ToArray();
        var (_, gradient) = LossRun.Pointwise(Backend, Kind, logits, targets);
        Close.All<float>(gradient, [0f, 0f, 0f], 0, 1e-7, "dLogits");
    }
}
