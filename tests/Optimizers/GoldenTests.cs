using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// Every optimizer against torch.optim (PyTorch 1.13, values from tests/golden/optimizers.py) after 1 and 10 steps,
/// on the reference and the SIMD kernels, in float64 and float32.
/// </summary>
/// <remarks>
/// The 6-element problem is repeated <see cref="Copies"/> times so the SIMD kernels run it through both their
/// vector loop and their scalar tail; every copy must match PyTorch.
/// </remarks>
[TestFixture]
public sealed class GoldenTests
{
    private const int Copies = 11;

    // float64: the kernels round like PyTorch's CPU kernels (same operation order, FMA where PyTorch fuses), so
    // they agree to the last bit on this machine; 1e-12 leaves room for another libm's pow in the bias corrections.
    private const double Float64Rtol = 1e-12, Float64Atol = 1e-15;

    // float32: 4 ulps. The golden NAdam is PyTorch's foreach path (see optimizers.py), which divides √v by √bc₂
    // where CudaNet takes √(v/bc₂) like the single-tensor path: 1 ulp apart. Every other optimizer agrees to the
    // last bit.
    private const double Float32Rtol = 4.8e-7, Float32Atol = 0;

    private static IEnumerable<TestCaseData> Cases() =>
        from c in OptimizerCase.Golden
        from kernels in new[] { CpuKernels.Reference, CpuKernels.Simd }
        select new TestCaseData(c, kernels).SetArgDisplayNames(c.Name, kernels.ToString());

    [TestCaseSource(nameof(Cases))]
    public void Float64MatchesPyTorch(OptimizerCase optimizerCase, CpuKernels kernels)
    {
        var (step1, step10) = OptimizerGolden.Float64[optimizerCase.Name];
        Check<double>(optimizerCase, kernels, step1, step10, Float64Rtol, Float64Atol);
    }

    [TestCaseSource(nameof(Cases))]
    public void Float32MatchesPyTorch(OptimizerCase optimizerCase, CpuKernels kernels)
    {
        var (step1, step10) = OptimizerGolden.Float32[optimizerCase.Name];
        Check<float>(optimizerCase, kernels, step1, step10, Float32Rtol, Float32Atol);
    }

    private static void Check<T>(OptimizerCase optimizerCase, CpuKernels kernels, T[] step1, T[] step10, double rtol, double atol)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var backend = new CpuBackend<T>(kernels);
        using var run = new OptimizerRun<T>(backend, optimizerCase, Tile<T>(OptimizerGolden.Initial));
        for (int t = 1; t <= OptimizerGolden.Gradients.Length; t++)
        {
            run.Step(Tile<T>(OptimizerGolden.Gradients[t - 1]), t);
            if (t == 1) Close.All<T>(run.Parameters, Tile(step1), rtol, atol, $"{optimizerCase} after step 1");
        }
        Close.All<T>(run.Parameters, Tile(step10), rtol, atol, $"{optimizerCase} after step 10");
    }

    private static T[] Tile<T>(double[] values) where T : INumberBase<T> =>
        Tile(values.Select(T.CreateTruncating).ToArray());

    private static T[] Tile<T>(T[] values) =>
        Enumerable.Repeat(values, Copies).SelectMany(v => v).ToArray();
}
