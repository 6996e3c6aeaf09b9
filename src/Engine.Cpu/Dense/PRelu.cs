using System.Numerics;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// PReLUForward / PReLUBackward — x, y, dy, dx (N,F), α and dα (F):
/// y = x for x &gt; 0, else α[f]·x; dx = dy for x &gt; 0, else α[f]·dy; dα[f] = Σ_n dy·x over x ≤ 0 (overwritten).
/// dα sums each column in increasing n in both versions, so they agree bit for bit.
/// </summary>
internal static class PReLUKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Grain = 32 * 1024;

    /// <summary>Reference forward: plain loops, one thread.</summary>
    public static void ForwardReference(Tensor<T> y, Tensor<T> x, Tensor<T> alpha)
    {
        Span<T> ys = CpuBackend<T>.Span(y);
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(x), alphas = CpuBackend<T>.Span(alpha);
        int features = alpha.Length;
        for (int i = 0; i < xs.Length; i++)
        {
            T v = xs[i];
            ys[i] = v > T.Zero ? v : alphas[i % features] * v;
        }
    }

    /// <summary>SIMD forward: rows in parallel, features vectorised.</summary>
    public static void ForwardSimd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, Tensor<T> alpha)
    {
        int features = alpha.Length;
        backend.ParallelFor(x.Rows, Math.Max(1, Grain / features), (y, x, alpha, features), static (s, _, start, end) =>
        {
            var (y, x, alpha, features) = s;
            Span<T> ys = CpuBackend<T>.Span(y);
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x), alphas = CpuBackend<T>.Span(alpha);
            for (int row = start; row < end; row++)
            {
                ReadOnlySpan<T> xRow = xs.Slice(row * features, features);
                Span<T> yRow = ys.Slice(row * features, features);
                int w = Vector<T>.Count, f = 0;
                for (; f <= features - w; f += w)
                {
                    var v = new Vector<T>(xRow[f..]);
                    Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, v * new Vector<T>(alphas[f..]))
                        .CopyTo(yRow[f..]);
                }
                for (; f < features; f++) yRow[f] = xRow[f] > T.Zero ? xRow[f] : alphas[f] * xRow[f];
            }
        });
    }

    /// <summary>Reference backward: plain loops, one thread.</summary>
    public static void BackwardReference(Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x, Tensor<T> alpha)
    {
        Span<T> dxs = CpuBackend<T>.Span(dx), dAlphas = CpuBackend<T>.Span(dAlpha);
        ReadOnlySpan<T> dys = CpuBackend<T>.Span(dy), xs = CpuBackend<T>.Span(x), alphas = CpuBackend<T>.Span(alpha);
        int features = alpha.Length, rows = dys.Length / features;
        dAlphas.Clear();
        for (int n = 0; n < rows; n++)
        {
            for (int f = 0; f < features; f++)
            {
                int i = n * features + f;
                T g = dys[i], v = xs[i];
                if (v > T.Zero)
                {
                    dxs[i] = g;
                }
                else
                {
                    dxs[i] = alphas[f] * g;
                    dAlphas[f] += g * v;
                }
            }
        }
    }

    /// <summary>
    /// SIMD backward: columns in parallel (blocks of whole vectors), so each thread owns its dα entries and walks
    /// every row for them — no cross-thread reduction, and the same summation order as the reference.
    /// </summary>
    public static void BackwardSimd(CpuBackend<T> backend, Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x,
        Tensor<T> alpha)
    {
        int features = alpha.Length, rows = dy.Length / features, w = Vector<T>.Count;
        int groups = (features + w - 1) / w;
        backend.ParallelFor(groups, Math.Max(1, Grain / Math.Max(1, rows * w)), (dx, dAlpha, dy, x, alpha, features, rows, w), static (s, _, start, end) =>
        {
            var (dx, dAlpha, dy, x, alpha, features, rows, w) = s;
            Span<T> dxs = CpuBackend<T>.Span(dx), dAlphas = CpuBackend<T>.Span(dAlpha);
            ReadOnlySpan<T> dys = CpuBackend<T>.Span(dy), xs = CpuBackend<T>.Span(x), alphas = CpuBackend<T>.Span(alpha);
            int first = start * w, last = Math.Min(end * w, features);
            dAlphas[first..last].Clear();
            for (int n = 0; n < rows; n++)
            {
                int rowStart = n * features, f = first;
                for (; f <= last - w; f += w)
                {
                    var g = new Vector<T>(dys[(rowStart + f)..]);
                    var v = new Vector<T>(xs[(rowStart + f)..]);
                    var positive = Vector.GreaterThan(v, Vector<T>.Zero);
                    Vector.ConditionalSelect(positive, g, g * new Vector<T>(alphas[f..])).CopyTo(dxs[(rowStart + f)..]);
                    var sum = new Vector<T>(dAlphas[f..]);
                    Vector.ConditionalSelect(positive, sum, sum + g * v).CopyTo(dAlphas[f..]);
                }
                for (; f < last; f++)
                {
                    T g = dys[rowStart + f], v = xs[rowStart + f];
                    if (v > T.Zero)
                    {
                        dxs[rowStart + f] = g;
                    }
                    else
                    {
                        dxs[rowStart + f] = alphas[f] * g;
                        dAlphas[f] += g * v;
                    }
                }
            }
        });
    }
}
