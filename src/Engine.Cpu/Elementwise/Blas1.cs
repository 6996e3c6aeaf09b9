using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Elementwise;

/// <summary>
/// The level-1 BLAS ops over n elements: Fill (x = value), Copy (y = x), Scale (y = α·x, y may be x) and
/// Axpy (y += α·x). All are memory-bound: napkin math 4n (Fill), 8n (Copy, Scale) and 12n (Axpy) bytes in
/// float32. Each element is independent, so chunking changes nothing in the result.
/// </summary>
internal static class Blas1Kernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // ---- the reference: one scalar statement per element ---------------------------------------------------

    public static void FillReference(Tensor<T> x, T value)
    {
        var xs = CpuBackend<T>.Span(x);
        for (int i = 0; i < xs.Length; i++) xs[i] = value;
    }

    /// <remarks>Overlapping views are copied as by memmove (as if x were read completely first), so the loop
    /// runs backwards when y starts after x in the same storage.</remarks>
    public static void CopyReference(Tensor<T> y, Tensor<T> x)
    {
        Span<T> ys = CpuBackend<T>.Span(y), xs = CpuBackend<T>.Span(x);
        if (ReferenceEquals(y.Storage, x.Storage) && y.Offset > x.Offset)
            for (int i = xs.Length - 1; i >= 0; i--) ys[i] = xs[i];
        else
            for (int i = 0; i < xs.Length; i++) ys[i] = xs[i];
    }

    public static void ScaleReference(Tensor<T> y, Tensor<T> x, T alpha)
    {
        Span<T> ys = CpuBackend<T>.Span(y), xs = CpuBackend<T>.Span(x);
        for (int i = 0; i < xs.Length; i++) ys[i] = alpha * xs[i];
    }

    public static void AxpyReference(Tensor<T> y, Tensor<T> x, T alpha)
    {
        Span<T> ys = CpuBackend<T>.Span(y), xs = CpuBackend<T>.Span(x);
        for (int i = 0; i < xs.Length; i++) ys[i] += alpha * xs[i];
    }

    // ---- SIMD: vectorised, split over threads in chunks of Chunked.ElementGrain --------------------------

    public static void FillSimd(CpuBackend<T> backend, Tensor<T> x, T value) =>
        Chunked.For(backend, x.Length, Chunked.ElementGrain, new FillChunk(x, value));

    public static void CopySimd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x)
    {
        // Overlapping chunks copied by different threads could read what another already wrote: one memmove.
        bool overlapping = ReferenceEquals(y.Storage, x.Storage) && y.Offset != x.Offset &&
                           Math.Abs(y.Offset - x.Offset) < x.Length;
        if (overlapping) CpuBackend<T>.Span(x).CopyTo(CpuBackend<T>.Span(y));
        else Chunked.For(backend, x.Length, Chunked.ElementGrain, new CopyChunk(y, x));
    }

    public static void ScaleSimd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, T alpha) =>
        Chunked.For(backend, x.Length, Chunked.ElementGrain, new ScaleChunk(y, x, alpha));

    public static void AxpySimd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, T alpha) =>
        Chunked.For(backend, x.Length, Chunked.ElementGrain, new AxpyChunk(y, x, alpha));

    private readonly struct ScaleChunk(Tensor<T> y, Tensor<T> x, T alpha) : IRangeBody
    {
        public void Run(int start, int end)
        {
            Span<T> ys = CpuBackend<T>.Span(y).Slice(start, end - start);
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x).Slice(start, end - start);
            // Each vector is read before it is written, so y == x (in place) is safe.
            var yv = MemoryMarshal.Cast<T, Vector<T>>(ys);
            var xv = MemoryMarshal.Cast<T, Vector<T>>(xs);
            var alphas = new Vector<T>(alpha);
            for (int i = 0; i < xv.Length; i++) yv[i] = alphas * xv[i];
            for (int i = xv.Length * Vector<T>.Count; i < xs.Length; i++) ys[i] = alpha * xs[i];
        }
    }

    private readonly struct AxpyChunk(Tensor<T> y, Tensor<T> x, T alpha) : IRangeBody
    {
        public void Run(int start, int end)
        {
            Span<T> ys = CpuBackend<T>.Span(y).Slice(start, end - start);
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x).Slice(start, end - start);
            var yv = MemoryMarshal.Cast<T, Vector<T>>(ys);
            var xv = MemoryMarshal.Cast<T, Vector<T>>(xs);
            var alphas = new Vector<T>(alpha);
            for (int i = 0; i < xv.Length; i++) yv[i] += alphas * xv[i];
            for (int i = xv.Length * Vector<T>.Count; i < xs.Length; i++) ys[i] += alpha * xs[i];
        }
    }

    private readonly struct FillChunk(Tensor<T> x, T value) : IRangeBody
    {
        public void Run(int start, int end) => CpuBackend<T>.Span(x).Slice(start, end - start).Fill(value);
    }

    private readonly struct CopyChunk(Tensor<T> y, Tensor<T> x) : IRangeBody
    {
        public void Run(int start, int end) =>
            CpuBackend<T>.Span(x).Slice(start, end - start).CopyTo(CpuBackend<T>.Span(y).Slice(start, end - start));
    }
}
