using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class ArgMaxCountCorrectConformance(string backendName) : ElementwiseConformance(backendName)
{
    private const float NaN = float.NaN, Inf = float.PositiveInfinity;

    /// <summary>Rows and their <c>torch.argmax</c> (PyTorch 1.13), from tests/golden/argmax.py: ties go to the
    /// first maximum, -0 ties with +0, and NaN beats every number (the first NaN wins).</summary>
    private static readonly (float[] Row, int ArgMax)[] Golden =
    [
        ([1, NaN, 3, NaN], 1),
        ([2, 2, 1, 0], 0),
        ([-Inf, -Inf, -Inf, -Inf], 0),
        ([Inf, 3, Inf, 1], 0),
        ([1, 2, 3, NaN], 3),
        ([NaN, NaN, 0, 0], 0),
        ([0, 5, 5, 5], 1),
        ([-0f, 0f, -1, -2], 0),
        (Enumerable.Range(0, 37).Select(c => c == 20 ? NaN : c).ToArray(), 20),
        (Enumerable.Range(0, 37).Select(c => c is 9 or 33 ? 4f : 0f).ToArray(), 9),
    ];

    private static int Count(IBackend<float> backend, float[] logits, int rows, int classes, int[] labels, int start = 0)
    {
        using var x = backend.FromArray(logits, rows, classes);
        using var target = backend.FromArray(labels);
        using var correct = backend.FromArray(new[] { start });
        backend.ArgMaxCountCorrect(correct, x, target);
        return backend.ToArray(correct)[0];
    }

    /// <summary>torch.argmax semantics on the host: the oracle for random inputs.</summary>
    private static int HostArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
            if (!float.IsNaN(row[best]) && (float.IsNaN(row[c]) || row[c] > row[best])) best = c;
        return best;
    }

    [Test]
    public void EveryLabelOfTheGoldenRowsCountsExactlyWhenItIsTorchsArgMax()
    {
        foreach (var b in new IBackend<float>[] { Backend, Reference })
            foreach (var (row, argMax) in Golden)
                for (int label = 0; label < row.Length; label++)
                    Assert.That(Count(b, row, 1, row.Length, [label]), Is.EqualTo(label == argMax ? 1 : 0),
                        $"{b.Name}: [{string.Join(", ", row)}] label {label}");
    }

    [Test]
    public void MatchesTheHostArgMaxForAwkwardAndLargeShapesWithManyTies()
    {
        foreach (var (rows, classes) in TestData.AwkwardShapes.Concat([(100_000, 10), (2_000, 100)]))
        {
            // Logits from {0, 1, 2} make ties common; every third label is the host's argmax so counts are large.
            float[] logits = TestData.Labels(rows + classes, rows * classes, 3).Select(v => (float)v).ToArray();
            int[] labels = TestData.Labels(rows, rows, classes);
            for (int n = 0; n < rows; n += 3) labels[n] = HostArgMax(logits.AsSpan(n * classes, classes));
            int expected = Enumerable.Range(0, rows).Count(n => HostArgMax(logits.AsSpan(n * classes, classes)) == labels[n]);
            Assert.That(Count(Backend, logits, rows, classes, labels), Is.EqualTo(expected), $"({rows},{classes})");
            Assert.That(Count(Reference, logits, rows, classes, labels), Is.EqualTo(expected), $"reference ({rows},{classes})");
        }
    }

    [Test]
    public void AddsToTheCounter()
    {
        float[] logits = [0, 1, 5, 4, 3, 2, 9, 9, 1];
        Assert.That(Count(Backend, logits, 3, 3, [1, 0, 0], start: 40), Is.EqualTo(42));
        Assert.That(Count(Backend, logits, 3, 3, [0, 1, 1]), Is.EqualTo(0));
        Assert.That(Count(Backend, [], 0, 3, [], start: 5), Is.EqualTo(5), "no rows");
        Assert.That(Count(Backend, [7, 8], 2, 1, [0, 0]), Is.EqualTo(2), "one class");
    }

    [Test]
    public void LabelOutsideTheClassesThrowsNamingPositionAndValueAndCountsNothing([Values(-1, 4)] int bad)
    {
        foreach (var b in new IBackend<float>[] { Backend, Reference })
        {
            using var x = b.FromArray(TestData.Uniform<float>(1, 12), 3, 4);
            using var target = b.FromArray(new[] { 0, 3, bad });
            using var correct = b.FromArray(new[] { 17 });
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => b.ArgMaxCountCorrect(correct, x, target));
            Assert.That(error!.ParamName, Is.EqualTo("labels"));
            Assert.That(error.ActualValue, Is.EqualTo(bad));
            Assert.That(error.Message, Does.Contain("ArgMaxCountCorrect").And.Contain("'labels'")
                .And.Contain("position 2").And.Contain(bad.ToString()));
            Assert.That(b.ToArray(correct), Is.EqualTo(new[] { 17 }), b.Name);
        }
    }

    [Test]
    public void BadArgumentsThrowNamingTheOpAndTheArgument()
    {
        using var x = Backend.Allocate<float>(3, 4);
        using var noClasses = Backend.Allocate<float>(3, 0);
        using var flat = Backend.Allocate<float>(12);
        using var labels = Backend.Allocate<int>(3);
        using var shortLabels = Backend.Allocate<int>(2);
        using var correct = Backend.Allocate<int>(1);
        using var pair = Backend.Allocate<int>(2);
        Expect.ArgumentError(() => Backend.ArgMaxCountCorrect(correct, noClasses, labels), "ArgMaxCountCorrect", "logits");
        Expect.ArgumentError(() => Backend.ArgMaxCountCorrect(correct, flat, labels), "ArgMaxCountCorrect", "logits");
        Expect.ArgumentError(() => Backend.ArgMaxCountCorrect(correct, x, shortLabels), "ArgMaxCountCorrect", "labels");
        Expect.ArgumentError(() => Backend.ArgMaxCountCorrect(pair, x, labels), "ArgMaxCountCorrect", "correct");
    }
}

public sealed class ArgMaxCountCorrectCpu
{
    [TestCaseSource(typeof(Expect), nameof(Expect.BothKernels))]
    public void Float64ClosedForm(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var logits = backend.FromArray(new[] { 0.1, 0.7, 0.2, 3.0, -1.0, 3.0, double.NaN, 1.0, 2.0 }, 3, 3);
        using var labels = backend.FromArray(new[] { 1, 2, 0 });
        using var correct = backend.Allocate<int>(1);
        backend.ArgMaxCountCorrect(correct, logits, labels);
        Assert.That(backend.ToArray(correct), Is.EqualTo(new[] { 2 }), "row 1's tie goes to class 0, row 2's NaN wins");
    }

    [Test]
    public void SimdCountDoesNotDependOnTheThreadCount()
    {
        const int rows = 50_000, classes = 7;
        float[] data = TestData.Normal<float>(1, rows * classes);
        int[] labels = TestData.Labels(2, rows, classes);
        int[] counts = new[] { 1, 2, 4 }.Select(threads =>
        {
            using var backend = new CpuBackend<float>(CpuKernels.Simd, threads);
            using var logits = backend.FromArray(data, rows, classes);
            using var target = backend.FromArray(labels);
            using var correct = backend.Allocate<int>(1);
            backend.ArgMaxCountCorrect(correct, logits, target);
            return backend.ToArray(correct)[0];
        }).ToArray();
        Assert.That(counts, Is.All.EqualTo(counts[0]));
        Assert.That(counts[0], Is.InRange(rows / classes - 500, rows / classes + 500), "random labels hit about 1/C");
    }
}
