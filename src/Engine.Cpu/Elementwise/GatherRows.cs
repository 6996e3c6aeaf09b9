using System.Numerics;

namespace CudaNet.Cpu.Elementwise;

/// <summary>
/// y[b, :] = x[indices[b], :] — x (R,F), indices (B) in [0, R), y (B,F): a mini-batch gathered from a resident
/// data set. Napkin math: reads 4BF + 4B bytes (float32), writes 4BF.
/// </summary>
internal static class GatherRowsKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar copy per element.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> x, Tensor<int> indices)
    {
        ThrowIfOutOfRange(indices, x.Shape[0]);
        Span<T> ys = CpuBackend<T>.Span(y);
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
        ReadOnlySpan<int> rows = CpuBackend<T>.Span(indices);
        int columns = x.Shape[1];
        for (int b = 0; b < rows.Length; b++)
            for (int f = 0; f < columns; f++)
                ys[b * columns + f] = xs[rows[b] * columns + f];
    }

    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, Tensor<int> indices)
    {
        ThrowIfOutOfRange(indices, x.Shape[0]);
        Chunked.For(backend, indices.Length, Chunked.ItemGrain(x.Shape[1]), new RowChunk(y, x, indices));
    }

    /// <summary>Checks every index before anything is written, so a bad call leaves y untouched.</summary>
    private static void ThrowIfOutOfRange(Tensor<int> indices, int rows)
    {
        ReadOnlySpan<int> values = CpuBackend<T>.Span(indices);
        for (int b = 0; b < values.Length; b++)
        {
            if ((uint)values[b] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(indices), values[b],
                    $"GatherRows: argument 'indices' holds {values[b]} at position {b}, outside the rows [0, {rows}) of 'x'.");
        }
    }

    private readonly struct RowChunk(Tensor<T> y, Tensor<T> x, Tensor<int> indices) : IRangeBody
    {
        public void Run(int start, int end)
        {
            Span<T> ys = CpuBackend<T>.Span(y);
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
            ReadOnlySpan<int> rows = CpuBackend<T>.Span(indices);
            int columns = x.Shape[1];
            for (int b = start; b < end; b++)
                xs.Slice(rows[b] * columns, columns).CopyTo(ys.Slice(b * columns, columns));
        }
    }
}
