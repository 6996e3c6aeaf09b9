using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>PReLU forward/backward on the backend under test vs the float32 reference, over awkward shapes.</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class PReLUConformanceTests(string backendName) : ConformanceTest(backendName)
{
    private static IEnumerable<(int Rows, int Columns)> Shapes => TestData.AwkwardShapes.Append((300, 130)).Append((2000, 3));

    [TestCaseSource(nameof(Shapes))]
    public void MatchesReference((int Rows, int Columns) shape)
    {
        var (rows, features) = shape;
        int n = rows * features, seed = rows * 31 + features;
        var x = TestData.Normal<float>(seed, n);
        var alpha = TestData.Uniform<float>(seed + 1, features, -0.5, 0.5);
        var dy = TestData.Normal<float>(seed + 2, n);

        var y = OnBackend(new float[n], rows, features);
        Backend.PReLUForward(y, OnBackend(x, rows, features), OnBackend(alpha, features));
        var yRef = OnReference(new float[n], rows, features);
        Reference.PReLUForward(yRef, OnReference(x, rows, features), OnReference(alpha, features));
        Close.All<float>(Backend.ToArray(y), Reference.ToArray(yRef), Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol,
            $"PReLU forward {rows}×{features}");

        var garbage = Enumerable.Repeat(float.NaN, features).ToArray();
        var dx = OnBackend(new float[n], rows, features);
        var dAlpha = OnBackend(garbage, features);
        Backend.PReLUBackward(dx, dAlpha, OnBackend(dy, rows, features), OnBackend(x, rows, features), OnBackend(alpha, features));
        var dxRef = OnReference(new float[n], rows, features);
        var dAlphaRef = OnReference(garbage, features);
        Reference.PReLUBackward(dxRef, dAlphaRef, OnReference(dy, rows, features), OnReference(x, rows, features),
            OnReference(alpha, features));
        Close.All<float>(Backend.ToArray(dx), Reference.ToArray(dxRef), Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol,
            $"PReLU dx {rows}×{features}");
        Close.All<float>(Backend.ToArray(dAlpha), Reference.ToArray(dAlphaRef), Tolerance.ReductionRtol,
            Tolerance.ReductionAtol, $"PReLU dα {rows}×{features}");
    }

    [Test]
    public void EmptyBatchGivesZeroSlopeGradient()
    {
        var dAlpha = OnBackend(new[] { 7f, 7f, 7f }, 3);
        var empty = OnBackend(Array.Empty<float>(), 0, 3);
        Backend.PReLUBackward(OnBackend(Array.Empty<float>(), 0, 3), dAlpha, empty, empty, OnBackend(new[] { 0.1f, 0.2f, 0.3f }, 3));
        Assert.That(Backend.ToArray(dAlpha), Is.EqualTo(new[] { 0f, 0f, 0f }));
    }
}
