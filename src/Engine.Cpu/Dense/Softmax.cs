using System.Numerics;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// SoftmaxForward, row by row — x, y (N,C): y[n,c] = e^(x[n,c] - m) / Σ_c' e^(x[n,c'] - m) with m = max_c x[n,c],
/// so no exponent overflows. As in PyTorch, a row holding +∞ or only -∞ (or a NaN) gives NaN; -∞ elsewhere gives 0.
/// </summary>
internal static class SoftmaxKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Grain = 16 * 1024;

    /// <summary>Reference: plain loops, one thread; the sum accumulates in T in increasing c.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> x)
    {
        Span<T> ys = CpuBackend<T>.Span(y);
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
        int columns = x.Columns;
        for (int row = 0; row < x.Rows; row++)
        {
            ReadOnlySpan<T> xRow = xs.Slice(row * columns, columns);
            Span<T> yRow = ys.Slice(row * columns, columns);
            T max = T.NegativeInfinity;
            foreach (T v in xRow) max = T.Max(max, v);
            T sum = T.Zero;
            for (int c = 0; c < columns; c++)
            {
                yRow[c] = T.Exp(xRow[c] - max);
                sum += yRow[c];
            }
            for (int c = 0; c < columns; c++) yRow[c] /= sum;
        }
    }

    /// <summary>SIMD: rows in parallel; max, exp and sum vectorised (the tail goes through a padded vector).</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x)
    {
        int columns = x.Columns;
        backend.ParallelFor(x.Rows, Math.Max(1, Grain / columns), (y, x, columns), static (s, _, start, end) =>
        {
            var (y, x, columns) = s;
            Span<T> ys = CpuBackend<T>.Span(y);
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
            for (int row = start; row < end; row++)
                Row(xs.Slice(row * columns, columns), ys.Slice(row * columns, columns));
        });
    }

    private static void Row(ReadOnlySpan<T> x, Span<T> y)
    {
        int w = Vector<T>.Count, full = x.Length - x.Length % w;
        Span<T> tail = stackalloc T[w];
        tail.Fill(T.NegativeInfinity);
        x[full..].CopyTo(tail);

        var maxes = new Vector<T>(tail);
        for (int c = 0; c < full; c += w) maxes = Vector.Max(maxes, new Vector<T>(x[c..]));
        T max = maxes[0];
        for (int lane = 1; lane < w; lane++) max = T.Max(max, maxes[lane]);
        var shift = new Vector<T>(max);

        // Padding lanes hold -∞, so they add e^-∞ = 0 (when the max is ±∞ the row is NaN anyway).
        var sums = VectorMath<T>.Exp(new Vector<T>(tail) - shift);
        sums.CopyTo(tail);
        for (int c = 0; c < full; c += w)
        {
            var e = VectorMath<T>.Exp(new Vector<T>(x[c..]) - shift);
            e.CopyTo(y[c..]);
            sums += e;
        }
        tail[..(x.Length - full)].CopyTo(y[full..]);

        var total = new Vector<T>(Vector.Sum(sums));
        for (int c = 0; c < full; c += w) (new Vector<T>(y[c..]) / total).CopyTo(y[c..]);
        for (int c = full; c < x.Length; c++) y[c] /= total[0];
    }
}
