using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// The CPU SIMD kernels do the reference's operations in the same order (fused multiply-adds included), so they
/// agree with it bit for bit, in float32 and float64, whatever the length and the thread count.
/// </summary>
[TestFixture]
public sealed class ExactnessTests
{
    private static IEnumerable<OptimizerCase> Cases => OptimizerCase.All;

    [TestCaseSource(nameof(Cases))]
    public void SimdEqualsReferenceBitForBit(OptimizerCase optimizerCase)
    {
        int[] lengths = [1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 255, 257];
        foreach (int length in lengths)
        {
            CompareBackends<float>(optimizerCase, length, new CpuBackend<float>(), new CpuBackend<float>(CpuKernels.Reference));
            CompareBackends<double>(optimizerCase, length, new CpuBackend<double>(), new CpuBackend<double>(CpuKernels.Reference));
        }
    }

    // Large enough to be split into several parallel chunks; one thread and all threads must give the same bits.
    [TestCase("Adam"), TestCase("SgdNesterovElasticNetDecay"), TestCase("RmsPropCenteredNesterovPenalized"), TestCase("NadamPenalized")]
    public void ParallelSplitEqualsReferenceAndOneThread(string name)
    {
        var optimizerCase = OptimizerCase.All.Single(c => c.Name == name);
        const int length = 4 * UpdateMath<float>.Grain + 13;
        CompareBackends<float>(optimizerCase, length, new CpuBackend<float>(), new CpuBackend<float>(CpuKernels.Reference));
        CompareBackends<float>(optimizerCase, length, new CpuBackend<float>(), new CpuBackend<float>(maxThreads: 1));
    }

    private static void CompareBackends<T>(OptimizerCase optimizerCase, int length, CpuBackend<T> first, CpuBackend<T> second)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using (first)
        using (second)
        {
            var initial = TestData.Uniform<T>(length, length, -2, 2);
            using var a = new OptimizerRun<T>(first, optimizerCase, initial);
            using var b = new OptimizerRun<T>(second, optimizerCase, initial);
            for (int t = 1; t <= 3; t++)
            {
                var gradient = TestData.Normal<T>(7 * t + length, length);
                a.Step(gradient, t);
                b.Step(gradient, t);
            }
            string what = $"{optimizerCase} {typeof(T).Name} length {length}";
            Close.Exact<T>(a.Parameters, b.Parameters, what);
            foreach (var (x, y) in a.States.Zip(b.States)) Close.Exact<T>(x, y, what + " state");
        }
    }
}
