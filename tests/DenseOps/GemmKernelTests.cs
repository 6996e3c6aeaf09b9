using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Cpu.Dense;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>
/// Each register tile of the blocked GEMM driven directly (the backend only picks the widest one the machine runs),
/// vs the plain-loop reference, at sizes on either side of its MR × NR tile, its narrow half panel, the KC slice,
/// the MC row band and the task split (A packed up front vs inside the tasks), in every transpose, with α, β,
/// bias and both kinds of epilogue (ReLU in registers, tanh over the tile after).
/// </summary>
[TestFixture("512")]
[TestFixture("256")]
[TestFixture("vector")]
public sealed class GemmKernelTests(string kernel)
{
    private CpuBackend<float> _simd = null!, _reference = null!;
    private CpuBackend<double> _simd64 = null!, _reference64 = null!;

    [OneTimeSetUp]
    public void CreateBackends()
    {
        bool supported = kernel switch
        {
            "512" => GemmKernel512<float>.IsSupported,
            "256" => GemmKernel256<float>.IsSupported,
            _ => GemmKernelVector<float>.IsSupported,
        };
        if (!supported) Assert.Ignore($"The {kernel} register tile does not run on this machine.");
        _simd = new CpuBackend<float>();
        _reference = new CpuBackend<float>(CpuKernels.Reference);
        _simd64 = new CpuBackend<double>();
        _reference64 = new CpuBackend<double>(CpuKernels.Reference);
    }

    [OneTimeTearDown]
    public void DisposeBackends()
    {
        _simd?.Dispose();
        _reference?.Dispose();
        _simd64?.Dispose();
        _reference64?.Dispose();
    }

    private (int Rows, int Columns) Tile<T>() where T : unmanaged, IFloatingPointIeee754<T> => kernel switch
    {
        "512" => (GemmKernel512<T>.Rows, GemmKernel512<T>.Columns),
        "256" => (GemmKernel256<T>.Rows, GemmKernel256<T>.Columns),
        _ => (GemmKernelVector<T>.Rows, GemmKernelVector<T>.Columns),
    };

    /// <summary>(M, N, K) relative to the tile: one tile, one short of / one past it in each dimension, the narrow
    /// half panel (exact, short, one past; alone, A is read in place but for a short last tile), KC = 256 slices (exact, one past, two and a bit), a 128-row band ± 1,
    /// one row band with many panels (A packed up front) and many row bands with one panel.</summary>
    private IEnumerable<(int M, int N, int K)> Shapes<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (mr, nr) = Tile<T>();
        return
        [
            (mr, nr, 1), (mr - 1, nr - 1, 7), (mr + 1, nr + 1, 9), (2 * mr, nr / 2, 33), (mr, nr / 2 - 1, 20),
            (3 * mr - 1, nr / 2 + 1, 17), (1, 1, 256), (mr, nr, 257), (2 * mr + 3, 2 * nr, 600), (127, 3 * nr + 5, 40),
            (128, nr, 31), (129, nr + 3, 64), (mr, 10 * nr + 1, 300), (300, nr / 2, 50),
        ];
    }

    [Test]
    public void MatchesReferenceAroundBlockEdges([Values(false, true)] bool transposeA, [Values(false, true)] bool transposeB)
    {
        foreach (var (m, n, k) in Shapes<float>())
        {
            Compare(m, n, k, transposeA, transposeB, 1, 0, withBias: false, Activation.Identity, seed: m + 3 * n + 7 * k);
            Compare(m, n, k, transposeA, transposeB, -0.5, 1.25, withBias: true, Activation.ReLU, seed: m + n + k);
            Compare(m, n, k, transposeA, transposeB, 2, 0, withBias: true, Activation.Tanh, seed: 5 * m + n);
        }
    }

    [Test]
    public void DoubleMatchesReferenceAroundBlockEdges([Values(false, true)] bool transposeA, [Values(false, true)] bool transposeB)
    {
        foreach (var (m, n, k) in Shapes<double>())
        {
            var a = TestData.Uniform<double>(m, m * k);
            var b = TestData.Uniform<double>(n, k * n);
            var c0 = TestData.Uniform<double>(k, m * n);
            var bias = TestData.Uniform<double>(7, n);
            double[] Run(CpuBackend<double> backend, bool blocked)
            {
                using var ta = backend.FromArray(a, transposeA ? [k, m] : [m, k]);
                using var tb = backend.FromArray(b, transposeB ? [n, k] : [k, n]);
                using var tc = backend.FromArray(c0, m, n);
                using var tbias = backend.FromArray(bias, n);
                if (blocked) RunKernel(backend, tc, ta, transposeA, tb, transposeB, 0.75, -1, tbias, Activation.ReLU, k);
                else backend.Gemm(tc, ta, transposeA, tb, transposeB, 0.75, -1, tbias, Activation.ReLU);
                return backend.ToArray(tc);
            }
            Close.All<double>(Run(_simd64, true), Run(_reference64, false), 1e-10, 1e-10,
                $"double {kernel} M={m} N={n} K={k} tA={transposeA} tB={transposeB}");
        }
    }

    [Test]
    public void BetaZeroNeverReadsC()
    {
        var (mr, nr) = Tile<float>();
        foreach (var (m, n) in new[] { (mr, nr), (mr + 1, nr / 2 + 1), (2 * mr, nr / 2) })
        {
            var a = _simd.FromArray(TestData.Uniform<float>(1, m * 300), m, 300);
            var b = _simd.FromArray(TestData.Uniform<float>(2, 300 * n), 300, n);
            var c = _simd.FromArray(Enumerable.Repeat(float.NaN, m * n).ToArray(), m, n);
            RunKernel(_simd, c, a, false, b, false, 1f, 0f, null, Activation.Identity, 300);
            Assert.That(_simd.ToArray(c), Has.None.NaN, $"M={m} N={n}");
        }
    }

    private void Compare(int m, int n, int k, bool transposeA, bool transposeB, double alpha, double beta, bool withBias,
        Activation epilogue, int seed)
    {
        var a = TestData.Uniform<float>(seed, m * k);
        var b = TestData.Uniform<float>(seed + 1, k * n);
        var c0 = TestData.Uniform<float>(seed + 2, m * n);
        var bias = TestData.Uniform<float>(seed + 3, n);
        float[] Run(CpuBackend<float> backend, bool blocked)
        {
            using var ta = backend.FromArray(a, transposeA ? [k, m] : [m, k]);
            using var tb = backend.FromArray(b, transposeB ? [n, k] : [k, n]);
            using var tc = backend.FromArray(c0, m, n);
            using var tbias = backend.FromArray(bias, n);
            if (blocked) RunKernel(backend, tc, ta, transposeA, tb, transposeB, (float)alpha, (float)beta, withBias ? tbias : null, epilogue, k);
            else backend.Gemm(tc, ta, transposeA, tb, transposeB, alpha, beta, withBias ? tbias : null, epilogue);
            return backend.ToArray(tc);
        }
        Close.All<float>(Run(_simd, true), Run(_reference, false), Tolerance.ReductionRtol, Tolerance.ReductionAtol,
            $"{kernel} M={m} N={n} K={k} tA={transposeA} tB={transposeB} α={alpha} β={beta} bias={withBias} {epilogue}");
    }

    private void RunKernel<T>(CpuBackend<T> backend, Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB,
        T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kernel)
        {
            case "512":
                GemmBlocked<T, GemmKernel512<T>>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
                break;
            case "256":
                GemmBlocked<T, GemmKernel256<T>>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
                break;
            default:
                GemmBlocked<T, GemmKernelVector<T>>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
                break;
        }
    }
}
