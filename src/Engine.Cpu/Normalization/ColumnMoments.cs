using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Per-column mean and M2 = Σ(x - mean)² of x (N,F) in one read of x: the rows are cut into blocks
/// (<see cref="BlockElements"/>); each block sums d = x - c and d² row by row, vectorised across features, around a
/// centre c that is already close to its mean — the previous block's mean, or the first row K for a chunk's first
/// block — and M2_b = Σd² - (Σd)²/n (the correction of <see cref="NormStatistics{T}"/>'s second pass) removes what
/// c's distance from the block mean adds. That distance is what a one-pass sum of squares loses precision to: it is
/// the spread between neighbouring blocks here (never a large offset, which K removes), and the merge below carries
/// that spread exactly. A two-pass per block (mean first, then deviations from cache) measured 30% slower, all of it
/// the extra pass. Blocks are merged with Chan et al.'s pairwise update (δ = mean_b - mean_a,
/// M2 = M2_a + M2_b + δ²·n_a·n_b/n) in block order within each chunk, then chunks in chunk order. The means being
/// merged are shifted by the first row K (x - K is small where the spread is, so δ does not inherit the rounding of
/// a large offset); the result is K + the merged shifted mean. The blocks and chunks depend only on N and F, so the
/// bits do not depend on the thread count.
/// </summary>
internal static class ColumnMoments<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per block: 64 rows of 1,024 features, so the per-block work (a few operations per column) is small.</summary>
    private const int BlockElements = 64 * 1024;

    /// <summary>Most chunks (partials of 2·F values each) the blocks are split into.</summary>
    private const int MaxChunks = 16;

    /// <summary>mean[f] and m2[f] of column f of x (N,F), N ≥ 1.</summary>
    public static void Compute(CpuBackend<T> backend, Tensor<T> x, Span<T> mean, Span<T> m2)
    {
        int rows = x.Shape[0], features = x.Shape[1];
        int blockRows = Math.Clamp(BlockElements / Math.Max(features, 1), 1, rows);
        int blocks = (rows + blockRows - 1) / blockRows;
        int grain = (blocks + MaxChunks - 1) / MaxChunks;
        int chunks = CpuBackend<T>.ChunkCount(blocks, grain);
        var partials = ArrayPool<T>.Shared.Rent(2 * chunks * features);
        try
        {
            backend.ParallelFor(blocks, grain, (x, partials, blockRows), static (state, chunk, first, end) =>
            {
                var (x, partials, blockRows) = state;
                int features = x.Shape[1];
                var means = partials.AsSpan(2 * chunk * features, features);
                var m2s = partials.AsSpan((2 * chunk + 1) * features, features);
                Chunk(x, blockRows, first, end, means, m2s);
            });
            Span<T> meanAll = partials.AsSpan(0, features), m2All = partials.AsSpan(features, features);
            int rowsSoFar = Math.Min(rows, RowsOf(blocks, grain, chunks, 1, blockRows));
            for (int chunk = 1; chunk < chunks; chunk++)
            {
                int chunkRows = Math.Min(rows, RowsOf(blocks, grain, chunks, chunk + 1, blockRows)) - rowsSoFar;
                Merge(meanAll, m2All, rowsSoFar, partials.AsSpan(2 * chunk * features, features),
                    partials.AsSpan((2 * chunk + 1) * features, features), chunkRows);
                rowsSoFar += chunkRows;
            }
            var shift = CpuBackend<T>.Span(x)[..features];
            for (int f = 0; f < features; f++) mean[f] = shift[f] + meanAll[f];
            m2All.CopyTo(m2);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(partials);
        }
    }

    /// <summary>First row after the first <paramref name="chunk"/> chunks (before clamping to N).</summary>
    private static int RowsOf(int blocks, int grain, int chunks, int chunk, int blockRows) =>
        (int)((long)blocks * chunk / chunks) * blockRows;

    /// <summary>Moments of the rows of blocks [firstBlock, endBlock) into (means - first row of x, m2s).</summary>
    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower), and not
    // inlined into its tier-1 caller, where it would be compiled again under that method's register pressure.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Chunk(Tensor<T> x, int blockRows, int firstBlock, int endBlock, Span<T> means, Span<T> m2s)
    {
        var xs = CpuBackend<T>.Span(x);
        int rows = x.Shape[0], features = x.Shape[1];
        var scratch = ArrayPool<T>.Shared.Rent(4 * features);
        try
        {
            var shiftedMean = scratch.AsSpan(0, features);
            var center = scratch.AsSpan(features, features);
            var sums = scratch.AsSpan(2 * features, features);
            var squares = scratch.AsSpan(3 * features, features);
            var shift = xs[..features];
            // The first block is centred on K; every later one on the previous block's mean.
            shift.CopyTo(center);
            int rowsSoFar = 0;
            for (int block = firstBlock; block < endBlock; block++)
            {
                int start = block * blockRows, end = Math.Min(rows, start + blockRows), n = end - start;
                T count = T.CreateTruncating(n);
                sums.Clear();
                squares.Clear();
                for (int r = start; r < end; r++) AddDeviations(xs.Slice(r * features, features), center, sums, squares);
                for (int f = 0; f < features; f++)
                {
                    shiftedMean[f] = (center[f] - shift[f]) + sums[f] / count;
                    squares[f] = NormStatistics<T>.CorrectedM2(sums[f], squares[f], count);
                    center[f] = shift[f] + shiftedMean[f];
                }
                if (rowsSoFar == 0)
                {
                    shiftedMean.CopyTo(means);
                    squares.CopyTo(m2s);
                }
                else
                {
                    Merge(means, m2s, rowsSoFar, shiftedMean, squares, n);
                }
                rowsSoFar += n;
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }

    /// <summary>(mean_a, M2_a) over n_a rows ← the moments of those rows and n_b more (Chan et al.).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Merge(Span<T> meanA, Span<T> m2A, int countA, ReadOnlySpan<T> meanB, ReadOnlySpan<T> m2B, int countB)
    {
        T na = T.CreateTruncating(countA), nb = T.CreateTruncating(countB), n = na + nb;
        T weightB = nb / n, crossWeight = na * nb / n;
        var weightBs = new Vector<T>(weightB);
        var crossWeights = new Vector<T>(crossWeight);
        int width = Vector<T>.Count, f = 0;
        ref T meanAStart = ref MemoryMarshal.GetReference(meanA);
        ref T m2AStart = ref MemoryMarshal.GetReference(m2A);
        ref T meanBStart = ref MemoryMarshal.GetReference(meanB);
        ref T m2BStart = ref MemoryMarshal.GetReference(m2B);
        for (; f <= meanA.Length - width; f += width)
        {
            var ma = Vector.LoadUnsafe(ref meanAStart, (nuint)f);
            var delta = Vector.LoadUnsafe(ref meanBStart, (nuint)f) - ma;
            (ma + delta * weightBs).StoreUnsafe(ref meanAStart, (nuint)f);
            (Vector.LoadUnsafe(ref m2AStart, (nuint)f) + Vector.LoadUnsafe(ref m2BStart, (nuint)f) + delta * delta * crossWeights)
                .StoreUnsafe(ref m2AStart, (nuint)f);
        }
        for (; f < meanA.Length; f++)
        {
            T delta = meanB[f] - meanA[f];
            meanA[f] += delta * weightB;
            m2A[f] = m2A[f] + m2B[f] + delta * delta * crossWeight;
        }
    }

    /// <summary>sums += row - centers and squares += (row - centers)², elementwise.</summary>
    // Called once per row from Chunk: tier-0 code of it (tiering waits while the process keeps compiling) made the
    // statistics pass 3× slower for the first ~0.2 s of calls, the whole of a short benchmark.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddDeviations(ReadOnlySpan<T> row, ReadOnlySpan<T> centers, Span<T> sums, Span<T> squares)
    {
        int count = row.Length, width = Vector<T>.Count, i;
        ref T rowStart = ref MemoryMarshal.GetReference(row);
        ref T centerStart = ref MemoryMarshal.GetReference(centers);
        ref T sumStart = ref MemoryMarshal.GetReference(sums);
        ref T squareStart = ref MemoryMarshal.GetReference(squares);
        for (i = 0; i <= count - width; i += width)
        {
            var d = Vector.LoadUnsafe(ref rowStart, (nuint)i) - Vector.LoadUnsafe(ref centerStart, (nuint)i);
            (Vector.LoadUnsafe(ref sumStart, (nuint)i) + d).StoreUnsafe(ref sumStart, (nuint)i);
            (Vector.LoadUnsafe(ref squareStart, (nuint)i) + d * d).StoreUnsafe(ref squareStart, (nuint)i);
        }
        for (; i < count; i++)
        {
            T d = row[i] - centers[i];
            sums[i] += d;
            squares[i] += d * d;
        }
    }
}
