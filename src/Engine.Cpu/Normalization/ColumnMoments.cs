using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Per-column mean and M2 = Σ(x - mean)² of x (N,F) reading x from memory once: the rows are cut into blocks that
/// fit in L2 (<see cref="BlockElements"/>); each block gets the shifted, corrected two-pass of
/// <see cref="NormStatistics{T}"/> (its second pass reads the block from cache), row by row, vectorised across
/// features; blocks are merged with Chan et al.'s pairwise update (δ = mean_b - mean_a,
/// M2 = M2_a + M2_b + δ²·n_a·n_b/n) in block order within each chunk, then chunks in chunk order. The means being
/// merged are shifted by the first row K (x - K is small where the spread is, so δ does not inherit the rounding of
/// a large offset); the result is K + the merged shifted mean. The blocks and chunks depend only on N and F, so the
/// bits do not depend on the thread count.
/// </summary>
internal static class ColumnMoments<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per block: 256 KiB of floats, re-read from a 1 MiB L2 by the second pass.</summary>
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
            int rowsSoFar = 0;
            for (int block = firstBlock; block < endBlock; block++)
            {
                int start = block * blockRows, end = Math.Min(rows, start + blockRows), n = end - start;
                T count = T.CreateTruncating(n);
                // Pass 1: Σ (x - K), shifted so large offsets do not cancel.
                sums.Clear();
                for (int r = start; r < end; r++) AddDeviations(xs.Slice(r * features, features), shift, sums);
                for (int f = 0; f < features; f++)
                {
                    shiftedMean[f] = sums[f] / count;
                    center[f] = shift[f] + shiftedMean[f];
                }
                // Pass 2 (from cache): Σ (x - c) and Σ (x - c)², corrected for c being the block mean rounded to T.
                // Column strips down the block's rows (in L2) with the sums in registers; pass 1 must stream rows
                // from memory in order, where strips would defeat the hardware prefetcher.
                DeviationSums(xs, features, start, end, center, sums, squares);
                for (int f = 0; f < features; f++) squares[f] = NormStatistics<T>.CorrectedM2(sums[f], squares[f], count);
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

    /// <summary>sums += row - centers, elementwise.</summary>
    // Called once per row from Chunk: tier-0 code of it (tiering waits while the process keeps compiling) made the
    // statistics pass 3× slower for the first ~0.2 s of calls, the whole of a short benchmark.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddDeviations(ReadOnlySpan<T> row, ReadOnlySpan<T> centers, Span<T> sums)
    {
        int count = row.Length, width = Vector<T>.Count, i;
        ref T rowStart = ref MemoryMarshal.GetReference(row);
        ref T centerStart = ref MemoryMarshal.GetReference(centers);
        ref T sumStart = ref MemoryMarshal.GetReference(sums);
        for (i = 0; i <= count - width; i += width)
            (Vector.LoadUnsafe(ref sumStart, (nuint)i) + (Vector.LoadUnsafe(ref rowStart, (nuint)i) - Vector.LoadUnsafe(ref centerStart, (nuint)i)))
                .StoreUnsafe(ref sumStart, (nuint)i);
        for (; i < count; i++) sums[i] += row[i] - centers[i];
    }

    /// <summary>
    /// sums = Σ (x - centers) and squares = Σ (x - centers)² over rows [start, end) of x (·, F), each column summed
    /// in row order. Strips of four vectors of columns keep their sums in registers down the rows: a row-by-row pass
    /// loads and stores both running sums for every element, which made this pass cost as much as reading x from
    /// memory. (Prefetching the next block from here measured slower: the hardware prefetcher already streams it.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DeviationSums(ReadOnlySpan<T> xs, int features, int start, int end, ReadOnlySpan<T> centers,
        Span<T> sums, Span<T> squares)
    {
        int width = Vector<T>.Count, f = 0;
        ref T x0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(xs), (nint)start * features);
        ref T centerStart = ref MemoryMarshal.GetReference(centers);
        ref T sumStart = ref MemoryMarshal.GetReference(sums);
        ref T squareStart = ref MemoryMarshal.GetReference(squares);
        for (; f <= features - 4 * width; f += 4 * width)
        {
            var c0 = Vector.LoadUnsafe(ref centerStart, (nuint)f);
            var c1 = Vector.LoadUnsafe(ref centerStart, (nuint)(f + width));
            var c2 = Vector.LoadUnsafe(ref centerStart, (nuint)(f + 2 * width));
            var c3 = Vector.LoadUnsafe(ref centerStart, (nuint)(f + 3 * width));
            Vector<T> s0 = default, s1 = default, s2 = default, s3 = default, q0 = default, q1 = default, q2 = default, q3 = default;
            ref T column = ref Unsafe.Add(ref x0, f);
            for (int r = start; r < end; r++, column = ref Unsafe.Add(ref column, features))
            {
                var d0 = Vector.LoadUnsafe(ref column) - c0;
                var d1 = Vector.LoadUnsafe(ref column, (nuint)width) - c1;
                var d2 = Vector.LoadUnsafe(ref column, (nuint)(2 * width)) - c2;
                var d3 = Vector.LoadUnsafe(ref column, (nuint)(3 * width)) - c3;
                s0 += d0; s1 += d1; s2 += d2; s3 += d3;
                q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3;
            }
            s0.StoreUnsafe(ref sumStart, (nuint)f);
            s1.StoreUnsafe(ref sumStart, (nuint)(f + width));
            s2.StoreUnsafe(ref sumStart, (nuint)(f + 2 * width));
            s3.StoreUnsafe(ref sumStart, (nuint)(f + 3 * width));
            q0.StoreUnsafe(ref squareStart, (nuint)f);
            q1.StoreUnsafe(ref squareStart, (nuint)(f + width));
            q2.StoreUnsafe(ref squareStart, (nuint)(f + 2 * width));
            q3.StoreUnsafe(ref squareStart, (nuint)(f + 3 * width));
        }
        for (; f <= features - width; f += width)
        {
            var c = Vector.LoadUnsafe(ref centerStart, (nuint)f);
            Vector<T> s = default, q = default;
            ref T column = ref Unsafe.Add(ref x0, f);
            for (int r = start; r < end; r++, column = ref Unsafe.Add(ref column, features))
            {
                var d = Vector.LoadUnsafe(ref column) - c;
                s += d;
                q += d * d;
            }
            s.StoreUnsafe(ref sumStart, (nuint)f);
            q.StoreUnsafe(ref squareStart, (nuint)f);
        }
        for (; f < features; f++)
        {
            T s = T.Zero, q = T.Zero;
            for (int r = start; r < end; r++)
            {
                T d = xs[r * features + f] - centers[f];
                s += d;
                q += d * d;
            }
            sums[f] = s;
            squares[f] = q;
        }
    }
}
