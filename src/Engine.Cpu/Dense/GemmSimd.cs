using System.Numerics;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// A register-tile kernel of the blocked GEMM (<see cref="GemmBlocked{T, TKernel}"/>): acc (MR × NR) =
/// Σ_p A[p, 0..MR) ⊗ B[p, 0..NR) over one depth slice of a packed A tile (k-major, MR wide) and a packed B panel
/// (k-major, NR wide), then folded into C (leading dimension ldc) by the write-back.
/// </summary>
internal interface IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>MR: rows of the register tile.</summary>
    static abstract int Rows { get; }
    /// <summary>NR: columns of the register tile (a whole number of vectors).</summary>
    static abstract int Columns { get; }
    /// <summary>Whether the kernel's vector width runs in hardware here.</summary>
    static abstract bool IsSupported { get; }
    static abstract void Run(ref readonly T a, ref readonly T b, int depth, ref T c, int ldc, scoped in GemmWriteBack<T> writeBack);
    /// <summary>The tile's first half (MR × NR/2, one vector per row), for a last panel of at most NR/2 columns;
    /// B is still read with the panel's NR stride, and A element (r, p) at a[r·rowStride + p·depthStride], so a
    /// packed tile (1, MR) or op(A) in place ((K, 1) or (1, M)) alike.</summary>
    static abstract void RunNarrow(ref readonly T a, nint rowStride, nint depthStride, ref readonly T b, int depth, ref T c,
        int ldc, scoped in GemmWriteBack<T> writeBack);
}

/// <summary>The SIMD GEMM: the blocked, packed kernel with the widest register tile the hardware runs.</summary>
internal static class GemmSimd<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Run(CpuBackend<T> backend, Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b,
        bool transposeB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        if (GemmKernel512<T>.IsSupported)
            GemmBlocked<T, GemmKernel512<T>>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
        else if (GemmKernel256<T>.IsSupported)
            GemmBlocked<T, GemmKernel256<T>>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
        else
            GemmBlocked<T, GemmKernelVector<T>>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
    }
}
