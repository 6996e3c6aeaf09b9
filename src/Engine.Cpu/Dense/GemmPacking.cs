using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// Packing for <see cref="GemmBlocked{T, TKernel}"/>: op(A) into row tiles and op(B) into column panels, each
/// k-major and <c>width</c> wide, so the micro-kernel reads both as unit-stride streams whatever the transposes.
/// Past the last row or column the pack holds zeros (they feed accumulator lanes that are never stored).
/// The loops are compiled fully optimised at once: under heavy machine load, tiered compilation was seen to leave
/// them in unoptimised code for seconds (a pack 10× slower than the arithmetic it feeds).
/// </summary>
internal static class GemmPacking<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Rows [row0, row0 + width) × depth [p0, p0 + depth) of op(A) (M,K):
    /// packed[p·width + r] = op(A)[row0 + r, p0 + p]. A is (M,K), or (K,M) when <paramref name="transposeA"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(ReadOnlySpan<T> a, bool transposeA, int m, int k, int row0, int width, int p0, int depth,
        Span<T> packed)
    {
        int rows = Math.Min(width, m - row0);
        if (rows < width) packed[..(depth * width)].Clear();
        if (transposeA) CopyRows(a, m, p0 * m + row0, rows, depth, width, packed);
        else Gather(a, k, row0 * k + p0, rows, depth, width, packed);
    }

    /// <summary>
    /// Columns [column0, column0 + width) of op(B) (K,N) over all of K: packed[p·width + j] = op(B)[p, column0 + j].
    /// B is (K,N), or (N,K) when <paramref name="transposeB"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(ReadOnlySpan<T> b, bool transposeB, int n, int k, int column0, int width, Span<T> packed)
    {
        int columns = Math.Min(width, n - column0);
        if (columns < width) packed[..(k * width)].Clear();
        if (transposeB) Gather(b, k, column0 * k, columns, k, width, packed);
        else CopyRows(b, n, column0, columns, k, width, packed);
    }

    /// <summary>packed[p·width + j] = source[start + p·stride + j]: the operand is already k-major (row p holds the
    /// tile's lanes contiguously), so each k is one short copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRows(ReadOnlySpan<T> source, int stride, int start, int count, int k, int width,
        Span<T> packed)
    {
        ref T from = ref Unsafe.AsRef(in source[start]);
        ref T to = ref packed[0];
        for (int p = 0; p < k; p++)
            CopyShort(ref Unsafe.Add(ref from, (nint)p * stride), ref Unsafe.Add(ref to, p * width), count);
    }

    /// <summary>packed[p·width + j] = source[start + j·stride + p]: the operand is lane-major (lane j's k values
    /// are contiguous), so the pack is a transpose: k outer keeps the writes sequential and the reads in one stream per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gather(ReadOnlySpan<T> source, int stride, int start, int count, int k, int width,
        Span<T> packed)
    {
        ref T from = ref Unsafe.AsRef(in source[start]);
        ref T to = ref packed[0];
        int lanes = 0, depth = 0;
        if (typeof(T) == typeof(float) && GemmTranspose.IsSupported)
        {
            // Whole 8×8 blocks go through registers; the lane and depth remainders take the scalar loop below.
            lanes = count & ~7;
            depth = k & ~7;
            for (int j = 0; j < lanes; j += 8)
                for (int p = 0; p < depth; p += 8)
                    GemmTranspose.Transpose8x8(ref Unsafe.As<T, float>(ref Unsafe.Add(ref from, (nint)j * stride + p)), stride,
                        ref Unsafe.As<T, float>(ref Unsafe.Add(ref to, p * width + j)), width);
        }
        for (int p = 0; p < k; p++)
        {
            ref T column = ref Unsafe.Add(ref from, p);
            ref T target = ref Unsafe.Add(ref to, p * width);
            for (int j = p < depth ? lanes : 0; j < count; j++)
                Unsafe.Add(ref target, j) = Unsafe.Add(ref column, (nint)j * stride);
        }
    }

    /// <summary>Copies a few elements (one tile row) with the widest vectors that fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(ref T from, ref T to, int count)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j <= count - Vector512<T>.Count; j += Vector512<T>.Count)
                Vector512.LoadUnsafe(ref from, (nuint)j).StoreUnsafe(ref to, (nuint)j);
        if (Vector256.IsHardwareAccelerated)
            for (; j <= count - Vector256<T>.Count; j += Vector256<T>.Count)
                Vector256.LoadUnsafe(ref from, (nuint)j).StoreUnsafe(ref to, (nuint)j);
        for (; j <= count - Vector<T>.Count; j += Vector<T>.Count)
            Vector.LoadUnsafe(ref from, (nuint)j).StoreUnsafe(ref to, (nuint)j);
        for (; j < count; j++) Unsafe.Add(ref to, j) = Unsafe.Add(ref from, j);
    }
}
