using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// Cache-blocked SIMD GEMM in the Goto/BLIS shape, the register tile (MR × NR) a type parameter:
/// <list type="bullet">
/// <item>Pack: op(B) into NR-column panels and op(A) into MR-row tiles, each k-major over all of K, in one
/// 64-byte-aligned per-thread buffer (<see cref="GemmWorkspace{T}"/>); each element is packed once. B (and A when
/// several tasks share its tiles) in one parallel pass up front; otherwise each task packs its A tiles itself.</item>
/// <item>Compute (one parallel pass): C is cut into tasks of MC rows × NC columns, chosen from the shape alone so
/// two cores get several tasks even at batch 128. A task walks K in slices of KC (<see cref="DepthBlock"/>): the
/// MC×KC slice of A stays in L2 while each KC×NR slice of a B panel, loaded into L1, meets every A tile.</item>
/// <item>The last slice's write-back adds the bias and applies ReLU in registers; other activations run over each
/// tile right after its write-back, while it is still in L1.</item>
/// </list>
/// Every C element belongs to one task and is summed in increasing k, slice by slice, with slice bounds that depend
/// on K alone, so results never depend on the thread count or the task split. Napkin math: 2·M·N·K FLOPs on
/// (M + N)·K packed elements; at batch 128 each packed A element feeds 2·N FLOPs.
/// </summary>
internal static class GemmBlocked<T, TKernel> where T : unmanaged, IFloatingPointIeee754<T>
    where TKernel : struct, IGemmMicroKernel<T>
{
    /// <summary>KC: deepest slice; a float B slice KC × 32 is 32 KiB of the 48 KiB L1, an A tile slice 8 KiB.</summary>
    private const int DepthBlock = 256;
    /// <summary>MC at most, in rows: an A slice 128 × KC is 128 KiB of L2.</summary>
    private const int MaxTaskRows = 128;
    /// <summary>NC at most, in columns: a B slice KC × 1024 is 1 MiB, streamed from L3 one panel at a time.</summary>
    private const int MaxTaskColumns = 1024;
    /// <summary>Tasks to aim for: several per core, so a core slowed by other load does not hold up the call.</summary>
    private const int TargetTasks = 8;
    /// <summary>Least FLOPs per task worth a thread hand-off (~10 µs of one core).</summary>
    private const long MinTaskFlops = 1L << 20;
    /// <summary>Least packed elements per packing chunk worth a thread hand-off (~50 µs of one core).</summary>
    private const long MinPackChunk = 1L << 18;

    public static void Run(CpuBackend<T> backend, Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b,
        bool transposeB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        int m = c.Rows, n = c.Columns, mr = TKernel.Rows, nr = TKernel.Columns;
        int tiles = (m + mr - 1) / mr, panels = (n + nr - 1) / nr;
        // B first: its panels (NR·K elements each, NR·sizeof(T) a multiple of 64 bytes) all start aligned.
        long bLength = (long)panels * nr * k, aLength = (long)tiles * mr * k;
        T[] buffer = GemmWorkspace<T>.Rent(bLength + aLength, out int bOffset);
        int aOffset = checked((int)(bOffset + bLength));

        var (tilesPerTask, panelsPerTask) = SplitTasks(tiles, panels, m, n, k);
        int rowTasks = (tiles + tilesPerTask - 1) / tilesPerTask, columnTasks = (panels + panelsPerTask - 1) / panelsPerTask;
        // With one task per row band, each A tile has one user: that task packs it slice by slice right before use
        // (cache-hot, and in parallel even when the up-front pass is too small to split). Otherwise A is packed once
        // up front with B, rather than once per column task.
        bool packAInTask = columnTasks == 1;
        // One narrow panel (N ≤ NR/2, a classifier head): each A element meets one kernel call, so packing it would
        // cost more than the arithmetic; full tiles read op(A) in place and only a short last tile is packed.
        bool directA = panels == 1 && n <= nr / 2;
        int packItems = panels + (packAInTask ? 0 : tiles);
        long perItem = (long)Math.Max(mr, nr) * k;
        backend.ParallelFor(packItems, (int)Math.Max(1, MinPackChunk / perItem), (a, b, transposeA, transposeB, m, n, k, mr, nr, panels, buffer, aOffset, bOffset), static (s, _, start, end) =>
        {
            var (a, b, transposeA, transposeB, m, n, k, mr, nr, panels, buffer, aOffset, bOffset) = s;
            for (int item = start; item < end; item++)
            {
                if (item < panels)
                    GemmPacking<T>.PackB(CpuBackend<T>.Span(b), transposeB, n, k, item * nr, nr,
                        buffer.AsSpan(bOffset + item * nr * k, nr * k));
                else
                    GemmPacking<T>.PackA(CpuBackend<T>.Span(a), transposeA, m, k, (item - panels) * mr, mr, 0, k,
                        buffer.AsSpan(aOffset + (item - panels) * mr * k, mr * k));
            }
        });

        backend.ParallelFor(rowTasks * columnTasks, 1, (c, a, packAInTask, directA, transposeA, buffer, aOffset, bOffset, tiles, panels, tilesPerTask, panelsPerTask, columnTasks, alpha, beta, bias, epilogue, k), static (s, _, start, end) =>
        {
            var (c, a, packAInTask, directA, transposeA, buffer, aOffset, bOffset, tiles, panels, tilesPerTask, panelsPerTask, columnTasks, alpha, beta, bias, epilogue, k) = s;
            for (int task = start; task < end; task++)
            {
                int firstTile = task / columnTasks * tilesPerTask, firstPanel = task % columnTasks * panelsPerTask;
                RunTask(c, a, packAInTask, directA, transposeA, buffer, aOffset, bOffset, firstTile,
                    Math.Min(tiles, firstTile + tilesPerTask), firstPanel, Math.Min(panels, firstPanel + panelsPerTask),
                    alpha, beta, bias, epilogue, k);
            }
        });
    }

    /// <summary>
    /// Tiles and panels per task: MC×NC at most <see cref="MaxTaskRows"/> × <see cref="MaxTaskColumns"/>, halved
    /// (rows first, down to 4 tiles, then columns, down to 4 panels) until there are <see cref="TargetTasks"/> tasks
    /// or a task would drop under <see cref="MinTaskFlops"/>.
    /// </summary>
    private static (int Tiles, int Panels) SplitTasks(int tiles, int panels, int rows, int columns, int k)
    {
        int mr = TKernel.Rows, nr = TKernel.Columns;
        int tilesPerTask = Math.Min(tiles, Math.Max(1, MaxTaskRows / mr));
        int panelsPerTask = Math.Min(panels, Math.Max(1, MaxTaskColumns / nr));
        static int Count(int total, int per) => (total + per - 1) / per;
        while (Count(tiles, tilesPerTask) * Count(panels, panelsPerTask) < TargetTasks)
        {
            bool splitRows = tilesPerTask > 4;
            if (!splitRows && panelsPerTask <= 4) break;
            int nextTiles = splitRows ? (tilesPerTask + 1) / 2 : tilesPerTask;
            int nextPanels = splitRows ? panelsPerTask : (panelsPerTask + 1) / 2;
            // The task's real work: a narrow C (a classifier head) pads its one panel to NR columns it never computes.
            if (2L * Math.Min(nextTiles * mr, rows) * Math.Min(nextPanels * nr, columns) * k < MinTaskFlops) break;
            (tilesPerTask, panelsPerTask) = (nextTiles, nextPanels);
        }
        return (tilesPerTask, panelsPerTask);
    }

    /// <summary>One task: C[tiles × panels] over all of K. The task packs its A tiles when <paramref name="packA"/>
    /// (else they are packed already), except full tiles read in place when <paramref name="directA"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunTask(Tensor<T> c, Tensor<T> a, bool packA, bool directA, bool transposeA, T[] buffer, int aOffset, int bOffset,
        int firstTile, int endTile, int firstPanel, int endPanel, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        int m = c.Rows, n = c.Columns, mr = TKernel.Rows, nr = TKernel.Columns;
        Span<T> cs = CpuBackend<T>.Span(c);
        ReadOnlySpan<T> aS = CpuBackend<T>.Span(a);
        ref T cRef = ref MemoryMarshal.GetReference(cs);
        ref T packed = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref T biasRef = ref bias is null ? ref Unsafe.NullRef<T>() : ref MemoryMarshal.GetReference(CpuBackend<T>.Span(bias));
        bool relu = epilogue.Kind == ActivationKind.ReLU;
        bool separateActivation = !relu && epilogue.Kind != ActivationKind.Identity;
        Span<T> scratch = stackalloc T[mr * nr];
        // Slices of equal depth (at most KC) so a K just over KC does not leave a sliver.
        int slices = (k + DepthBlock - 1) / DepthBlock, depthBlock = (k + slices - 1) / slices;
        for (int p0 = 0; p0 < k; p0 += depthBlock)
        {
            int depth = Math.Min(depthBlock, k - p0);
            bool first = p0 == 0, last = p0 + depth == k;
            if (packA)
                for (int tile = firstTile; tile < endTile; tile++)
                    if (!directA || (tile + 1) * mr > m)
                        GemmPacking<T>.PackA(aS, transposeA, m, k, tile * mr, mr, p0, depth,
                            buffer.AsSpan(aOffset + (tile * k + p0) * mr, depth * mr));
            for (int panel = firstPanel; panel < endPanel; panel++)
            {
                int column = panel * nr, columns = Math.Min(nr, n - column);
                ref T bSlice = ref Unsafe.Add(ref packed, bOffset + ((nint)panel * k + p0) * nr);
                var writeBack = new GemmWriteBack<T>(alpha, beta, first, last,
                    ref bias is null ? ref biasRef : ref Unsafe.Add(ref biasRef, column), bias is not null, relu);
                for (int tile = firstTile; tile < endTile; tile++)
                {
                    int row = tile * mr, rows = Math.Min(mr, m - row);
                    ref T aSlice = ref Unsafe.Add(ref packed, aOffset + ((nint)tile * k + p0) * mr);
                    nint rowStride = 1, depthStride = mr;
                    if (directA && rows == mr)
                    {
                        // op(A)[row, p0] in place: A (M,K) steps K per row and 1 per k, A (K,M) 1 per row and M per k.
                        aSlice = ref Unsafe.AsRef(in aS[transposeA ? p0 * m + row : row * k + p0]);
                        (rowStride, depthStride) = transposeA ? (1, m) : (k, 1);
                    }
                    ref T cTile = ref Unsafe.Add(ref cRef, (nint)row * n + column);
                    if (rows == mr && columns == nr)
                    {
                        TKernel.Run(in aSlice, in bSlice, depth, ref cTile, n, writeBack);
                    }
                    else if (rows == mr && columns == nr / 2)
                    {
                        TKernel.RunNarrow(in aSlice, rowStride, depthStride, in bSlice, depth, ref cTile, n, writeBack);
                    }
                    else
                    {
                        if (columns <= nr / 2)
                            TKernel.RunNarrow(in aSlice, rowStride, depthStride, in bSlice, depth, ref scratch[0], nr, GemmWriteBack<T>.Raw);
                        else TKernel.Run(in aSlice, in bSlice, depth, ref scratch[0], nr, GemmWriteBack<T>.Raw);
                        for (int r = 0; r < rows; r++)
                        {
                            ref T cRow = ref Unsafe.Add(ref cTile, (nint)r * n);
                            for (int j = 0; j < columns; j++)
                                Unsafe.Add(ref cRow, j) = writeBack.Apply(scratch[r * nr + j], Unsafe.Add(ref cRow, j), j);
                        }
                    }
                    if (last && separateActivation)
                        for (int r = 0; r < rows; r++)
                        {
                            var cRow = cs.Slice((row + r) * n + column, columns);
                            ActivationKernels<T>.Forward(cRow, cRow, epilogue, vectorized: true);
                        }
                }
            }
        }
    }
}
