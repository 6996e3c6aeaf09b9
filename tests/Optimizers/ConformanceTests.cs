using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// Every optimizer configuration on the backend under test against the float32 plain-loop reference, for every
/// length 0..257, over three steps (the first step is special for SGD momentum; the bias corrections move).
/// Parameters and every state tensor must agree within the elementwise tolerance.
/// </summary>
[TestFixture("cpu")]
public sealed class ConformanceTests(string backendName) : ConformanceTest(backendName)
{
    private const int Steps = 3;

    private static IEnumerable<OptimizerCase> Cases => OptimizerCase.All;

    [TestCaseSource(nameof(Cases))]
    public void MatchesReferenceForEveryLength(OptimizerCase optimizerCase)
    {
        foreach (int length in TestData.AllLengths)
        {
            var initial = TestData.Uniform<float>(length, length, -2, 2);
            using var actual = new OptimizerRun<float>(Backend, optimizerCase, initial);
            using var expected = new OptimizerRun<float>(Reference, optimizerCase, initial);
            for (int t = 1; t <= Steps; t++)
            {
                var gradient = TestData.Normal<float>(1000 * t + length, length);
                actual.Step(gradient, t);
                expected.Step(gradient, t);
            }
            string what = $"{optimizerCase} length {length}";
            Close.All<float>(actual.Parameters, expected.Parameters, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol, what);
            foreach (var (a, e) in actual.States.Zip(expected.States))
                Close.All<float>(a, e, Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol, what + " state");
        }
    }
}
