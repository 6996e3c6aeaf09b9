using System.Runtime.InteropServices;

namespace CudaNet.Cli.Bench;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>, bound at run time when <c>libopenblas.so.0</c> (Debian's libopenblas0) is present:
/// the CPU GEMM reference of the benchmarks, never a build or run dependency of CudaNet (DESIGN.md §12).
/// </summary>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;

    private OpenBlas(nint library, string path)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)
            NativeLibrary.GetExport(library, "cblas_sgemm");
        _setThreads = NativeLibrary.TryGetExport(library, "openblas_set_num_threads", out var setThreads)
            ? (delegate* unmanaged<int, void>)setThreads : null;
        Path = path;
    }

    /// <summary>Which library was loaded.</summary>
    public string Path { get; }

    /// <summary>Loads OpenBLAS, or returns null with the reason.</summary>
    public static OpenBlas? TryLoad(out string reason)
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dll" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "cblas_sgemm", out _))
            {
                reason = "";
                return new OpenBlas(library, name);
            }
        }
        reason = "OpenBLAS not found (apt-get install libopenblas0)";
        return null;
    }

    /// <summary>Limits OpenBLAS to <paramref name="threads"/> threads, to compare at the same thread count.</summary>
    public void SetThreads(int threads)
    {
        if (_setThreads != null) _setThreads(threads);
    }

    /// <summary>C (M,N) = α·op(A)·op(B) + β·C, row-major, contiguous.</summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        float beta, Span<float> c)
    {
        fixed (float* pa = a, pb = b, pc = c)
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, transA ? m : k, pb,
                transB ? k : n, beta, pc, n);
    }
}
