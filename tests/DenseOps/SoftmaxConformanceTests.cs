using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>SoftmaxForward on the backend under test vs the float32 reference.</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class SoftmaxConformanceTests(string backendName) : ConformanceTest(backendName)
{
    private static IEnumerable<(int Rows, int Columns)> Shapes => TestData.AwkwardShapes.Append((1000, 10)).Append((3, 5000));

    [TestCaseSource(nameof(Shapes))]
    public void MatchesReference((int Rows, int Columns) shape)
    {
        var (rows, columns) = shape;
        var x = TestData.Normal<float>(rows + 7 * columns, rows * columns, std: 5);
        if (x.Length > 2) (x[0], x[^1]) = (float.NegativeInfinity, 1e30f);
        var y = OnBackend(new float[x.Length], rows, columns);
        Backend.SoftmaxForward(y, OnBackend(x, rows, columns));
        var expected = OnReference(new float[x.Length], rows, columns);
        Reference.SoftmaxForward(expected, OnReference(x, rows, columns));
        Close.All<float>(Backend.ToArray(y), Reference.ToArray(expected), Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol,
            $"softmax {rows}×{columns}");
    }
}
