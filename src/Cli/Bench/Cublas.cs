using System.Runtime.InteropServices;

namespace CudaNet.Cli.Bench;

/// <summary>
/// cuBLAS's <c>cublasSgemm_v2</c>, bound at run time when the CUDA installation has it: the GPU GEMM reference of
/// the benchmarks, never a build or run dependency of CudaNet (DESIGN.md §12). The handle queues its work on the
/// CUDA backend's stream, so it is ordered with our kernels and timed by the same events.
/// </summary>
internal sealed unsafe class Cublas : IDisposable
{
    /// <summary>The library names tried, newest first.</summary>
    public static readonly string[] LibraryNames = ["libcublas.so.12", "libcublas.so.11", "libcublas.so", "cublas64_12.dll", "cublas64_11.dll"];

    /// <summary>What the reference column says without cuBLAS.</summary>
    public const string NotFound = "cuBLAS not found";

    /// <summary><c>CUBLAS_DEFAULT_MATH</c>: FP32 on the FP32 units.</summary>
    private const int DefaultMath = 0;
    /// <summary><c>CUBLAS_TF32_TENSOR_OP_MATH</c>: SGEMM may round its inputs to TF32 and use the tensor cores.</summary>
    private const int Tf32TensorOpMath = 3;
    private readonly delegate* unmanaged<nint, int> _destroy;
    private readonly delegate* unmanaged<nint, int, int> _setMathMode;
    private readonly delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int> _sgemm;
    private readonly nint _handle;

    private Cublas(nint library, string name, nint stream)
    {
        var create = (delegate* unmanaged<nint*, int>)NativeLibrary.GetExport(library, "cublasCreate_v2");
        var setStream = (delegate* unmanaged<nint, nint, int>)NativeLibrary.GetExport(library, "cublasSetStream_v2");
        _setMathMode = (delegate* unmanaged<nint, int, int>)NativeLibrary.GetExport(library, "cublasSetMathMode");
        _destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "cublasDestroy_v2");
        _sgemm = (delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int>)
            NativeLibrary.GetExport(library, "cublasSgemm_v2");
        nint handle;
        Check(create(&handle), "cublasCreate_v2");
        _handle = handle;
        Check(setStream(handle, stream), "cublasSetStream_v2");
        // TF32 off: FP32 against FP32, as the issue compares (cuBLAS 11+ uses TF32 only when asked to).
        UseTf32(false);
        Name = name;
    }

    /// <summary>Which library was loaded.</summary>
    public string Name { get; }

    /// <summary>Loads cuBLAS and creates a handle on <paramref name="stream"/> (the CUDA context must be current), or
    /// returns null with the reason (<see cref="NotFound"/> when no library is installed).</summary>
    public static Cublas? TryLoad(nint stream, out string reason, IEnumerable<string>? names = null)
    {
        foreach (string name in names ?? LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out var library)) continue;
            if (!NativeLibrary.TryGetExport(library, "cublasSgemm_v2", out _))
            {
                reason = $"{name} has no cublasSgemm_v2";
                return null;
            }
            try
            {
                reason = "";
                return new Cublas(library, name, stream);
            }
            catch (Exception e) when (e is InvalidOperationException or EntryPointNotFoundException)
            {
                reason = $"{name}: {e.Message}";
                return null;
            }
        }
        reason = NotFound;
        return null;
    }

    /// <summary>Row-major C (M,N) = α·op(A)·op(B) + β·C on device buffers, through the column-major call
    /// <see cref="ColumnMajorGemm.For"/> gives.</summary>
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, ulong b, float beta, ulong c)
    {
        var call = ColumnMajorGemm.For(transA, transB, m, n, k);
        int status = _sgemm(_handle, call.TransA ? 1 : 0, call.TransB ? 1 : 0, call.M, call.N, call.K, &alpha,
            call.FirstIsB ? b : a, call.Lda, call.FirstIsB ? a : b, call.Ldb, &beta, c, call.Ldc);
        Check(status, "cublasSgemm_v2");
    }

    /// <summary>Lets SGEMM use TF32 tensor cores (<c>CUBLAS_TF32_TENSOR_OP_MATH</c>) or restores FP32
    /// (<c>CUBLAS_DEFAULT_MATH</c>, the mode of every FP32 row).</summary>
    public void UseTf32(bool enabled) =>
        Check(_setMathMode(_handle, enabled ? Tf32TensorOpMath : DefaultMath), "cublasSetMathMode");

    private static void Check(int status, string call)
    {
        if (status != 0) throw new InvalidOperationException($"{call} failed with cublasStatus_t {status}");
    }

    /// <summary>Destroys the handle.</summary>
    public void Dispose() => _destroy(_handle);
}

/// <summary>
/// A row-major GEMM as the column-major call that computes it: a row-major matrix read column-major is its
/// transpose, so C = op(A)·op(B) row-major is Cᵀ = op(B)ᵀ·op(A)ᵀ column-major — the operands swap, and each keeps
/// its own transpose flag.
/// </summary>
/// <param name="TransA">Transpose flag of the call's first operand.</param>
/// <param name="TransB">Transpose flag of the call's second operand.</param>
/// <param name="M">Rows of the column-major result (N of the row-major one).</param>
/// <param name="N">Columns of the column-major result (M of the row-major one).</param>
/// <param name="K">The inner dimension.</param>
/// <param name="FirstIsB">The call's first operand is the row-major B (always, by the identity above).</param>
/// <param name="Lda">Leading dimension of the first operand.</param>
/// <param name="Ldb">Leading dimension of the second operand.</param>
/// <param name="Ldc">Leading dimension of C.</param>
internal readonly record struct ColumnMajorGemm(bool TransA, bool TransB, int M, int N, int K, bool FirstIsB, int Lda, int Ldb, int Ldc)
{
    /// <summary>The column-major call for row-major contiguous C (m,n) = op(A)·op(B), A (m,k) or (k,m) when
    /// transposed, B (k,n) or (n,k) when transposed.</summary>
    public static ColumnMajorGemm For(bool transA, bool transB, int m, int n, int k) =>
        new(transB, transA, n, m, k, FirstIsB: true, Lda: transB ? k : n, Ldb: transA ? m : k, Ldc: n);
}
