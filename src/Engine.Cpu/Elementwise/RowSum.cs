using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Elementwise;

/// <summary>
/// y[n] = Σ_f x[n, f] — x (N,F), y (N). Napkin math: reads 4NF bytes (float32), writes 4N, NF flops.
/// </summary>
internal static class RowSumKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: each row's running sum in T, columns in order.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> x)
    {
        Span<T> ys = CpuBackend<T>.Span(y);
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
        int rows = x.Shape[0], columns = x.Shape[1];
        for (int n = 0; n < rows; n++)
        {
            T sum = T.Zero;
            for (int f = 0; f < columns; f++) sum += xs[n * columns + f];
            ys[n] = sum;
        }
    }

    /// <remarks>Threads split the rows and each row is summed by one thread in a fixed order, so the result
    /// does not depend on the thread count. A single very long row therefore runs on one thread.</remarks>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x) =>
        Chunked.For(backend, x.Shape[0], Chunked.ItemGrain(x.Shape[1]), new RowChunk(y, x));

    /// <summary>Σ s[i] with four independent vector accumulators, then the lanes, then the scalar tail.</summary>
    private static T Sum(ReadOnlySpan<T> s)
    {
        var v = MemoryMarshal.Cast<T, Vector<T>>(s);
        Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
        int i = 0;
        for (; i + 4 <= v.Length; i += 4)
        {
            a0 += v[i];
            a1 += v[i + 1];
            a2 += v[i + 2];
            a3 += v[i + 3];
        }
        for (; i < v.Length; i++) a0 += v[i];
        T sum = Vector.Sum((a0 + a1) + (a2 + a3));
        for (int j = v.Length * Vector<T>.Count; j < s.Length; j++) sum += s[j];
        return sum;
    }

    private readonly struct RowChunk(Tensor<T> y, Tensor<T> x) : IRangeBody
    {
        public void Run(int start, int end)
        {
            Span<T> ys = CpuBackend<T>.Span(y);
            ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
            int columns = x.Shape[1];
            for (int n = start; n < end; n++) ys[n] = Sum(xs.Slice(n * columns, columns));
        }
    }
}
