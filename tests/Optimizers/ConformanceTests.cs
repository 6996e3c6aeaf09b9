using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// Every optimizer configuration on the backend under test against the float32 plain-loop reference, for every
/// length 0..257, over three steps (the first step is special for SGD momentum; the bias corrections move).
/// Parameters and every state tensor must agree within the elementwise tolerance, and in fact bit for bit: the
/// CPU SIMD kernels and the CUDA kernels both do the reference's operations in its order, every one IEEE-rounded.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
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

    /// <summary>Odd lengths and a range of many blocks, in tensors at offset 0 (the CUDA float4 path) and at offsets
    /// that are not 16-byte aligned (its scalar path).</summary>
    [TestCaseSource(nameof(Cases))]
    public void MatchesReferenceBitForBit(OptimizerCase optimizerCase)
    {
        foreach (int length in new[] { 1, 4, 7, 64, 257, 70_001 })
        foreach (int offset in new[] { 0, 1, 2 })
        {
            var initial = TestData.Uniform<float>(length, length, -2, 2);
            using var actual = new OptimizerRun<float>(Backend, optimizerCase, initial, offset);
            using var expected = new OptimizerRun<float>(Reference, optimizerCase, initial);
            for (int t = 1; t <= Steps; t++)
            {
                var gradient = TestData.Normal<float>(1000 * t + length, length);
                actual.Step(gradient, t);
                expected.Step(gradient, t);
            }
            string what = $"{optimizerCase} length {length} offset {offset}";
            Close.Exact<float>(actual.Parameters, expected.Parameters, what);
            foreach (var (a, e) in actual.States.Zip(expected.States)) Close.Exact<float>(a, e, what + " state");
        }
    }
}
