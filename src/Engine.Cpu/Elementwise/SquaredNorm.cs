using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Elementwise;

/// <summary>
/// result[0] = Σ x[i]² — x (n), result (1): the gradient norm for clipping and non-finite detection. NaN and ±∞
/// propagate (every term is ≥ 0 or NaN, so ∞ never meets -∞); a finite x whose sum of squares exceeds the range
/// of T gives +∞. Napkin math: reads 4n bytes (float32), 2n flops.
/// </summary>
internal static class SquaredNormKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per fixed block; each block is summed on its own, then the blocks are combined in a
    /// fixed order, so the result depends only on n, never on the thread count.</summary>
    private const int BlockLength = 1 << 14;

    /// <summary>The reference: one running sum in T, in index order.</summary>
    public static void Reference(Tensor<T> result, Tensor<T> x)
    {
        // The reference accumulates in float64 so that it stays the accurate side of every comparison: an in-order
        // float32 sum of 4M squares is already 0.3% off.
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
        double sum = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double v = double.CreateTruncating(xs[i]);
            sum += v * v;
        }
        CpuBackend<T>.Span(result)[0] = T.CreateTruncating(sum);
    }

    public static void Simd(CpuBackend<T> backend, Tensor<T> result, Tensor<T> x)
    {
        int blocks = (x.Length + BlockLength - 1) / BlockLength;
        if (blocks <= 1)
        {
            CpuBackend<T>.Span(result)[0] = SumOfSquares(CpuBackend<T>.Span(x));
            return;
        }
        T[] partials = ArrayPool<T>.Shared.Rent(blocks);
        try
        {
            Chunked.For(backend, blocks, Chunked.ItemGrain(BlockLength), new BlockSums(x, partials));
            CpuBackend<T>.Span(result)[0] = PairwiseSum(partials.AsSpan(0, blocks));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(partials);
        }
    }

    /// <summary>Σ s[i]² with four independent vector accumulators (float stays float: the block length bounds
    /// how many terms one lane adds), then the lanes, then the scalar tail.</summary>
    private static T SumOfSquares(ReadOnlySpan<T> s)
    {
        var v = MemoryMarshal.Cast<T, Vector<T>>(s);
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        int i = 0;
        for (; i + 4 <= v.Length; i += 4)
        {
            a0 += v[i] * v[i];
            a1 += v[i + 1] * v[i + 1];
            a2 += v[i + 2] * v[i + 2];
            a3 += v[i + 3] * v[i + 3];
        }
        for (; i < v.Length; i++) a0 += v[i] * v[i];
        T sum = Vector.Sum((a0 + a1) + (a2 + a3));
        for (int j = v.Length * Vector<T>.Count; j < s.Length; j++) sum += s[j] * s[j];
        return sum;
    }

    /// <summary>Combines the block sums as a fixed binary tree: deterministic, and its rounding error grows with
    /// log(blocks) rather than blocks. Overwrites <paramref name="values"/>.</summary>
    private static T PairwiseSum(Span<T> values)
    {
        for (int stride = 1; stride < values.Length; stride *= 2)
            for (int i = 0; i + stride < values.Length; i += 2 * stride)
                values[i] += values[i + stride];
        return values[0];
    }

    private readonly struct BlockSums(Tensor<T> x, T[] partials) : IRangeBody
    {
        public void Run(int start, int end)
        {
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
            for (int block = start; block < end; block++)
            {
                int first = block * BlockLength;
                partials[block] = SumOfSquares(xs.Slice(first, Math.Min(BlockLength, xs.Length - first)));
            }
        }
    }
}
