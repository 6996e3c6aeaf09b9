using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// Cache-blocked SIMD GEMM in the Goto/BLIS shape, kept to one level of packing:
/// <list type="bullet">
/// <item>op(B) is packed once per call into column panels NR = 2 vectors wide: panel q holds rows 0..K of
/// columns [q·NR, q·NR + NR) contiguously (zero-padded past N), which also absorbs the transpose of B.</item>
/// <item>Work is split into tasks of <see cref="RowBlock"/> rows × <see cref="PanelsPerTask"/> panels; per
/// <see cref="DepthBlock"/> slice of K a task packs its rows of op(A) into MR-row tiles (the MC×KC block stays in
/// L2) and runs the register kernel over every (tile, panel) pair (a KC×NR panel slice stays in L1).</item>
/// <item>The micro-kernel keeps an MR × NR block of C in <see cref="RowTile"/>·2 vector accumulators and does
/// one broadcast-FMA per (row, vector) per k.</item>
/// </list>
/// Each C element is owned by one task and summed in increasing k (KC slices added to C in order), so results
/// never depend on the thread count.
/// </summary>
internal static class GemmSimd<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>MR: rows per register tile; MR × 2 accumulators + 2 B vectors + 1 broadcast fit 16 registers.</summary>
    private const int RowTile = 4;
    /// <summary>MC: rows of op(A) per task; a multiple of <see cref="RowTile"/>.</summary>
    private const int RowBlock = 64;
    /// <summary>KC: depth of one packed slice (a float A block 64×256 is 64 KiB, a B panel slice 16 KiB).</summary>
    private const int DepthBlock = 256;
    /// <summary>NC in panels: columns per task (256 float columns on AVX2).</summary>
    private const int PanelsPerTask = 16;
    /// <summary>Least work per parallel chunk, in FLOPs, worth a thread hand-off.</summary>
    private const long MinFlopsPerChunk = 1L << 22;

    private static int PanelWidth => 2 * Vector<T>.Count;

    public static void Run(CpuBackend<T> backend, Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b,
        bool transposeB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        int m = c.Rows, n = c.Columns, nr = PanelWidth;
        int panels = (n + nr - 1) / nr;
        T[] packedB = ArrayPool<T>.Shared.Rent(checked(panels * nr * k));
        try
        {
            backend.ParallelFor(panels, (int)Math.Max(1, 64 * 1024 / ((long)k * nr)), (start, end) =>
                PackB(CpuBackend<T>.Span(b), transposeB, n, k, start, end, packedB));

            int rowBlocks = (m + RowBlock - 1) / RowBlock, columnBlocks = (panels + PanelsPerTask - 1) / PanelsPerTask;
            long taskFlops = 2L * Math.Min(m, RowBlock) * Math.Min(n, PanelsPerTask * nr) * k;
            int grain = (int)Math.Max(1, MinFlopsPerChunk / taskFlops);
            backend.ParallelFor(rowBlocks * columnBlocks, grain, (start, end) =>
            {
                T[] packedA = ArrayPool<T>.Shared.Rent(RowBlock * DepthBlock);
                try
                {
                    for (int task = start; task < end; task++)
                        RunTask(task / columnBlocks, task % columnBlocks, c, a, transposeA, packedB, alpha, beta,
                            bias, epilogue, k, packedA);
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(packedA);
                }
            });
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packedB);
        }
    }

    private static void RunTask(int rowBlock, int columnBlock, Tensor<T> c, Tensor<T> a, bool transposeA,
        T[] packedB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k, T[] packedA)
    {
        int m = c.Rows, n = c.Columns, nr = PanelWidth;
        int row0 = rowBlock * RowBlock, rows = Math.Min(RowBlock, m - row0);
        int firstPanel = columnBlock * PanelsPerTask;
        int endPanel = Math.Min(firstPanel + PanelsPerTask, (n + nr - 1) / nr);
        Span<T> cs = CpuBackend<T>.Span(c);
        ReadOnlySpan<T> aS = CpuBackend<T>.Span(a);
        for (int p0 = 0; p0 < k; p0 += DepthBlock)
        {
            int depth = Math.Min(DepthBlock, k - p0);
            PackA(aS, transposeA, m, k, row0, rows, p0, depth, packedA);
            for (int panel = firstPanel; panel < endPanel; panel++)
            {
                int column = panel * nr, columns = Math.Min(nr, n - column);
                ReadOnlySpan<T> bSlice = packedB.AsSpan((panel * k + p0) * nr, depth * nr);
                for (int tile = 0; tile * RowTile < rows; tile++)
                {
                    int row = row0 + tile * RowTile;
                    MicroKernel(packedA.AsSpan(tile * depth * RowTile, depth * RowTile), bSlice, depth,
                        cs[(row * n + column)..], n, Math.Min(RowTile, m - row), columns, alpha, beta, first: p0 == 0);
                }
            }
        }
        if (bias is null && epilogue.Kind == ActivationKind.Identity) return;
        int firstColumn = firstPanel * nr, width = Math.Min(endPanel * nr, n) - firstColumn;
        ReadOnlySpan<T> biasS = bias is null ? default : CpuBackend<T>.Span(bias).Slice(firstColumn, width);
        for (int i = row0; i < row0 + rows; i++)
            GemmKernels<T>.Epilogue(cs.Slice(i * n + firstColumn, width), biasS, epilogue);
    }

    /// <summary>Columns [start·NR, end·NR) of op(B) (K,N) into panels: packed[(q·K + p)·NR + j] = op(B)[p, q·NR + j].</summary>
    private static void PackB(ReadOnlySpan<T> b, bool transposeB, int n, int k, int startPanel, int endPanel, T[] packed)
    {
        int nr = PanelWidth;
        for (int panel = startPanel; panel < endPanel; panel++)
        {
            Span<T> target = packed.AsSpan(panel * k * nr, k * nr);
            int column = panel * nr, columns = Math.Min(nr, n - column);
            if (columns < nr) target.Clear();
            if (transposeB)
            {
                // B is (N,K): column j of op(B) is row j of B, contiguous.
                for (int j = 0; j < columns; j++)
                {
                    ReadOnlySpan<T> source = b.Slice((column + j) * k, k);
                    for (int p = 0; p < k; p++) target[p * nr + j] = source[p];
                }
            }
            else
            {
                for (int p = 0; p < k; p++) b.Slice(p * n + column, columns).CopyTo(target.Slice(p * nr, columns));
            }
        }
    }

    /// <summary>Rows [row0, row0 + rows) × depth [p0, p0 + depth) of op(A) into MR-row tiles:
    /// packed[(t·depth + p)·MR + r] = op(A)[row0 + t·MR + r, p0 + p], zero past the last row.</summary>
    private static void PackA(ReadOnlySpan<T> a, bool transposeA, int m, int k, int row0, int rows, int p0, int depth,
        T[] packed)
    {
        for (int tile = 0; tile * RowTile < rows; tile++)
        {
            Span<T> target = packed.AsSpan(tile * depth * RowTile, depth * RowTile);
            int tileRows = Math.Min(RowTile, rows - tile * RowTile);
            if (tileRows < RowTile) target.Clear();
            for (int r = 0; r < tileRows; r++)
            {
                int i = row0 + tile * RowTile + r;
                if (transposeA)
                {
                    for (int p = 0; p < depth; p++) target[p * RowTile + r] = a[(p0 + p) * m + i];
                }
                else
                {
                    ReadOnlySpan<T> source = a.Slice(i * k + p0, depth);
                    for (int p = 0; p < depth; p++) target[p * RowTile + r] = source[p];
                }
            }
        }
    }

    /// <summary>
    /// The register kernel: acc (MR × NR) = A tile (depth × MR) · B panel slice (depth × NR), then
    /// C = α·acc + β·C on the first depth slice (β = 0: α·acc, C unread) and C += α·acc on the later ones.
    /// Only <paramref name="rows"/> × <paramref name="columns"/> of the tile are stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(ReadOnlySpan<T> aTile, ReadOnlySpan<T> bSlice, int depth, Span<T> c, int ldc,
        int rows, int columns, T alpha, T beta, bool first)
    {
        int w = Vector<T>.Count;
        ref T aRef = ref MemoryMarshal.GetReference(aTile);
        ref T bRef = ref MemoryMarshal.GetReference(bSlice);
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector.LoadUnsafe(ref bRef, (nuint)(p * 2 * w));
            var b1 = Vector.LoadUnsafe(ref bRef, (nuint)(p * 2 * w + w));
            ref T ap = ref Unsafe.Add(ref aRef, p * RowTile);
            var a0 = new Vector<T>(ap);
            c00 = VectorMath<T>.MultiplyAdd(a0, b0, c00);
            c01 = VectorMath<T>.MultiplyAdd(a0, b1, c01);
            var a1 = new Vector<T>(Unsafe.Add(ref ap, 1));
            c10 = VectorMath<T>.MultiplyAdd(a1, b0, c10);
            c11 = VectorMath<T>.MultiplyAdd(a1, b1, c11);
            var a2 = new Vector<T>(Unsafe.Add(ref ap, 2));
            c20 = VectorMath<T>.MultiplyAdd(a2, b0, c20);
            c21 = VectorMath<T>.MultiplyAdd(a2, b1, c21);
            var a3 = new Vector<T>(Unsafe.Add(ref ap, 3));
            c30 = VectorMath<T>.MultiplyAdd(a3, b0, c30);
            c31 = VectorMath<T>.MultiplyAdd(a3, b1, c31);
        }

        Span<T> tile = stackalloc T[RowTile * 2 * w];
        c00.CopyTo(tile); c01.CopyTo(tile[w..]);
        c10.CopyTo(tile[(2 * w)..]); c11.CopyTo(tile[(3 * w)..]);
        c20.CopyTo(tile[(4 * w)..]); c21.CopyTo(tile[(5 * w)..]);
        c30.CopyTo(tile[(6 * w)..]); c31.CopyTo(tile[(7 * w)..]);
        for (int r = 0; r < rows; r++)
            Store(tile.Slice(r * 2 * w, columns), c.Slice(r * ldc, columns), alpha, beta, first);
    }

    /// <summary>One row of a tile into C; the vector and scalar parts use the same (unfused) arithmetic.</summary>
    private static void Store(ReadOnlySpan<T> acc, Span<T> c, T alpha, T beta, bool first)
    {
        int w = Vector<T>.Count, j = 0;
        for (; j <= acc.Length - w; j += w)
        {
            var scaled = new Vector<T>(acc[j..]) * alpha;
            var result = !first ? new Vector<T>(c[j..]) + scaled
                : beta == T.Zero ? scaled
                : scaled + new Vector<T>(c[j..]) * beta;
            result.CopyTo(c[j..]);
        }
        for (; j < acc.Length; j++)
        {
            T scaled = acc[j] * alpha;
            c[j] = !first ? c[j] + scaled : beta == T.Zero ? scaled : scaled + c[j] * beta;
        }
    }
}
