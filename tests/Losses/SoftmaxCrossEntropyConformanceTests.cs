using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Losses;

/// <summary>SoftmaxCrossEntropy on the backend under test against the float32 reference, edge cases and bad
/// arguments.</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class SoftmaxCrossEntropyConformanceTests(string backend) : ConformanceTest(backend)
{
    private const string Op = nameof(IBackend<float>.SoftmaxCrossEntropy);

    /// <summary>The awkward shapes with rows (an empty batch throws), and every class count of interest; 70×1000
    /// spans several row blocks, so it runs the parallel path.</summary>
    private static IEnumerable<(int Rows, int Classes)> Shapes =>
        TestData.AwkwardShapes.Where(shape => shape.Rows > 0)
            .Concat(from classes in new[] { 1, 2, 10, 17, 1000 } from rows in new[] { 1, 9, 70 } select (rows, classes));

    [TestCase(0.0)]
    [TestCase(0.1)]
    public void MatchesReference(double labelSmoothing)
    {
        int seed = 0;
        foreach (var (rows, classes) in Shapes)
        {
            seed++;
            float[] logits = TestData.Normal<float>(seed, rows * classes, std: 3);
            int[] labels = TestData.Labels(seed + 1000, rows, classes);
            string what = $"{rows}x{classes} ε={labelSmoothing}";

            var (loss, gradient) = LossRun.SoftmaxCrossEntropy(Backend, logits, labels, labelSmoothing);
            var (expectedLoss, expectedGradient) = LossRun.SoftmaxCrossEntropy(Reference, logits, labels, labelSmoothing);
            Close.All<float>([loss], [expectedLoss], Tolerance.ReductionRtol, Tolerance.ReductionAtol, $"{what} loss");
            Close.All<float>(gradient, expectedGradient, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol, $"{what} dLogits");
            Assert.That(float.IsFinite(loss) && loss >= 0, $"{what}: loss {loss}");

            var (lossOnly, _) = LossRun.SoftmaxCrossEntropy(Backend, logits, labels, labelSmoothing, withGradient: false);
            Assert.That(lossOnly, Is.EqualTo(loss), $"{what}: loss without dLogits");
        }
    }

    /// <summary>Each gradient row sums to 0 (softmax and q both sum to 1), and the loss equals log C for equal
    /// logits whatever the label and ε.</summary>
    [Test]
    public void UniformLogitsGiveLogClassesAndZeroSumGradients()
    {
        const int rows = 5, classes = 10;
        float[] logits = Enumerable.Repeat(0.75f, rows * classes).ToArray();
        var (loss, gradient) = LossRun.SoftmaxCrossEntropy(Backend, logits, TestData.Labels(3, rows, classes), 0.2);
        Assert.That(loss, Is.EqualTo(MathF.Log(classes)).Within(1e-6));
        for (int n = 0; n < rows; n++)
            Assert.That(gradient![(n * classes)..((n + 1) * classes)].Sum(), Is.EqualTo(0).Within(1e-7), $"row {n}");
    }

    /// <summary>One class: p = q = 1, so the loss and the gradient are exactly 0.</summary>
    [Test]
    public void OneClassGivesZeroLossAndGradient()
    {
        var (loss, gradient) = LossRun.SoftmaxCrossEntropy(Backend, [3f, -1e30f, 2.5f], [0, 0, 0], 0.1);
        Assert.That(loss, Is.EqualTo(0f));
        Close.Exact<float>(gradient, [0f, 0f, 0f], "dLogits");
    }

    /// <summary>Logits of ±1e30 and -inf in float32 agree with PyTorch's float64 values (tests/golden/losses.py).</summary>
    [Test]
    public void ExtremeLogitsStayFinite()
    {
        var (loss, gradient) = LossRun.SoftmaxCrossEntropy(Backend,
            [1e30f, -1e30f, 0f, -1e30f, 1e30f, 1e30f, 5f, -1e30f, 4f], [0, 2, 2], 0);
        Assert.That(loss, Is.EqualTo(0.668802956026056).Within(1e-6));
        Close.All<float>(gradient, [0f, 0f, 0f, 0f, 1f / 6, -1f / 6, 0.2436861928766683f, 0f, -0.2436861928766683f],
            1e-6, 1e-7, "dLogits");

        var (infLoss, infGradient) = LossRun.SoftmaxCrossEntropy(Backend,
            [float.NegativeInfinity, 1.5f, -0.5f, 0.25f, float.NegativeInfinity, float.NegativeInfinity, 1f, 2f, 3f], [1, 0, 0], 0);
        Assert.That(infLoss, Is.EqualTo(0.8448446584957844).Within(1e-6));
        Assert.That(infGradient!.All(float.IsFinite), "dLogits finite with -inf logits");
    }

    [Test]
    public void NaNLogitPropagatesToTheLoss()
    {
        var (loss, gradient) = LossRun.SoftmaxCrossEntropy(Backend, [0.5f, float.NaN, 1f, 2f], [0, 1], 0);
        Assert.That(loss, Is.NaN);
        Assert.That(float.IsNaN(gradient![0]) && float.IsFinite(gradient[2]), "NaN stays in its row");
    }

    [TestCase(7, 2)]
    [TestCase(-1, 0)]
    public void LabelOutsideClassesThrowsOutOfRange(int badLabel, int row)
    {
        int[] labels = [1, 0, 3, 2];
        labels[row] = badLabel;
        foreach (var backend in new IBackend<float>[] { Backend, Reference })
        {
            var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
                LossRun.SoftmaxCrossEntropy(backend, TestData.Normal<float>(5, 16), labels, 0));
            Assert.That(exception!.ParamName, Is.EqualTo("labels"));
            Assert.That(exception.Message, Does.Contain(Op).And.Contain("'labels'").And.Contain($"row {row}")
                .And.Contain(badLabel.ToString(System.Globalization.CultureInfo.InvariantCulture)), backend.Name);
        }
    }

    [Test]
    public void BadArgumentsThrow()
    {
        using var logits = OnBackend(TestData.Normal<float>(6, 12), 3, 4);
        using var labels = OnBackend(new[] { 0, 1, 2 }, 3);
        using var shortLabels = OnBackend(new[] { 0, 1 }, 2);
        using var loss = Backend.Allocate<float>(1);
        using var wideLoss = Backend.Allocate<float>(2);
        using var wrongGradient = Backend.Allocate<float>(4, 3);
        using var empty = Backend.Allocate<float>(0, 4);
        using var noLabels = Backend.Allocate<int>(0);

        AssertFails(() => Backend.SoftmaxCrossEntropy(loss, null, logits, shortLabels), "labels");
        AssertFails(() => Backend.SoftmaxCrossEntropy(loss, null, logits, labels, 1.5), "labelSmoothing");
        AssertFails(() => Backend.SoftmaxCrossEntropy(loss, null, logits, labels, double.NaN), "labelSmoothing");
        AssertFails(() => Backend.SoftmaxCrossEntropy(loss, null, logits, labels, -0.1), "labelSmoothing");
        AssertFails(() => Backend.SoftmaxCrossEntropy(loss, null, empty, noLabels), "logits");
        AssertFails(() => Backend.SoftmaxCrossEntropy(loss, wrongGradient, logits, labels), "dLogits");
        AssertFails(() => Backend.SoftmaxCrossEntropy(wideLoss, null, logits, labels), "loss");
    }

    private static void AssertFails(Action call, string argument)
    {
        var exception = Assert.Throws(Is.InstanceOf<ArgumentException>(), call);
        Assert.That(exception!.Message, Does.Contain(Op).And.Contain($"'{argument}'"));
    }
}
