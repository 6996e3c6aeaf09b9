using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// y = x + σ·z with z[i] the float32 standard normal of element i of the stream (seed, offset)
/// (<see cref="PhiloxNormal"/>: Box–Muller in portable float32 math), converted exactly to T; σ·z and the sum
/// are rounded in T.
/// </summary>
internal static class GaussianNoise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per <see cref="CpuBackend{T}.ParallelFor"/> chunk.</summary>
    private const int Grain = 1 << 15;

    /// <summary>Elements whose normals one stack buffer holds between generating and applying them.</summary>
    private const int Tile = 256;

    /// <summary>The reference: one Philox block per element, the formula as written.</summary>
    // x, y (n)
    public static void Reference(Span<T> y, ReadOnlySpan<T> x, T stddev, ulong seed, ulong offset)
    {
        for (int i = 0; i < x.Length; i++)
            y[i] = x[i] + stddev * T.CreateTruncating(PhiloxNormal.Element(seed, offset, (ulong)i));
    }

    /// <summary>Philox and Box–Muller (vectorised where possible) over tiles, then a vector multiply-add (no FMA, so bit-identical to
    /// <see cref="Reference"/>); chunks in parallel.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, T stddev, ulong seed, ulong offset) =>
        backend.ParallelFor(x.Length, Grain, (y, x, stddev, seed, offset), static (s, _, start, end) =>
        {
            var (y, x, stddev, seed, offset) = s;
            Span<T> ySpan = CpuBackend<T>.Span(y);
            ReadOnlySpan<T> xSpan = CpuBackend<T>.Span(x);
            Span<T> normals = stackalloc T[Tile];
            for (int tileStart = start; tileStart < end; tileStart += Tile)
            {
                int n = Math.Min(Tile, end - tileStart);
                FillNormals(normals[..n], tileStart, seed, offset);
                Apply(ySpan.Slice(tileStart, n), xSpan.Slice(tileStart, n), normals[..n], stddev);
            }
        });

    /// <summary>z[j] = normal of element first + j: 32 at a time with <see cref="PhiloxNormalVector"/> where the machine
    /// has it and the range covers them, otherwise per block, each Box–Muller pair computed only when needed.</summary>
    private static void FillNormals(Span<T> z, int first, ulong seed, ulong offset)
    {
        Span<float> normals = stackalloc float[PhiloxVector.Words];
        int j = 0;
        while (j < z.Length)
        {
            int element = first + j;
            if (PhiloxNormalVector.IsSupported && element % 4 == 0 && z.Length - j >= PhiloxVector.Words)
            {
                PhiloxNormalVector.Generate(seed, offset, (ulong)element / 4, normals);
                for (int w = 0; w < PhiloxVector.Words; w++, j++) z[j] = T.CreateTruncating(normals[w]);
                continue;
            }
            var (x0, x1, x2, x3) = Philox.Block(seed, offset, (ulong)element / 4);
            int word = element % 4;
            if (word < 2)
            {
                var (z0, z1) = PhiloxNormal.Pair(x0, x1);
                if (word == 0) z[j++] = T.CreateTruncating(z0);
                if (j < z.Length) z[j++] = T.CreateTruncating(z1);
                word = 2;
            }
            if (j < z.Length)
            {
                var (z2, z3) = PhiloxNormal.Pair(x2, x3);
                if (word == 2) z[j++] = T.CreateTruncating(z2);
                if (j < z.Length) z[j++] = T.CreateTruncating(z3);
            }
        }
    }

    private static void Apply(Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> z, T stddev)
    {
        var stddevVector = new Vector<T>(stddev);
        int j = 0;
        for (; j <= x.Length - Vector<T>.Count; j += Vector<T>.Count)
            (new Vector<T>(x[j..]) + stddevVector * new Vector<T>(z[j..])).CopyTo(y[j..]);
        for (; j < x.Length; j++) y[j] = x[j] + stddev * z[j];
    }
}
