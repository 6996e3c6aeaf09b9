using System.Numerics;
using System.Runtime.CompilerServices;

namespace CudaNet.Cpu;

/// <summary>
/// The Philox keep-mask shared by dropout and DropConnect: y[i] = keep[i] ? x[i]·scale : 0 with keep[i] =
/// <see cref="Philox.Keep"/>(word i of the stream (seed, offset), p). A dropped element is exactly +0 whatever
/// x[i] is (also ±inf or NaN), so nothing of a dropped unit reaches the next layer.
/// </summary>
internal static class PhiloxMask<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per <see cref="CpuBackend{T}.ParallelFor"/> chunk.</summary>
    private const int Grain = 1 << 15;

    /// <summary>Elements whose uniforms one stack buffer holds between generating and applying them.</summary>
    private const int Tile = 256;

    /// <summary>The reference: one Philox block per element, the formula as written.</summary>
    // x, y (n)
    public static void Reference(Span<T> y, ReadOnlySpan<T> x, float p, T scale, ulong seed, ulong offset)
    {
        for (int i = 0; i < x.Length; i++)
        {
            uint word = Word(Philox.Block(seed, offset, (ulong)i / 4), i % 4);
            y[i] = Philox.Keep(word, p) ? x[i] * scale : T.Zero;
        }
    }

    /// <summary>
    /// Philox (vectorised where possible) over tiles of <see cref="Tile"/> elements, then a vector select; chunks in parallel.
    /// Bit-identical to <see cref="Reference"/>: the uniform and p are exact in T, so comparing them in T
    /// is comparing the floats, and x·scale is the same single rounding.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, float p, T scale, ulong seed, ulong offset) =>
        backend.ParallelFor(x.Length, Grain, (start, end) =>
        {
            Span<T> ySpan = CpuBackend<T>.Span(y);
            ReadOnlySpan<T> xSpan = CpuBackend<T>.Span(x);
            Span<T> uniforms = stackalloc T[Tile];
            for (int tileStart = start; tileStart < end; tileStart += Tile)
            {
                int n = Math.Min(Tile, end - tileStart);
                FillUniforms(uniforms[..n], tileStart, seed, offset);
                Apply(ySpan.Slice(tileStart, n), xSpan.Slice(tileStart, n), uniforms[..n], p, scale);
            }
        });

    /// <summary>u[j] = uniform of element first + j: eight blocks at a time with <see cref="PhiloxVector"/> where
    /// the machine has it and the range covers them, each remaining block generated once by the scalar Philox.</summary>
    private static void FillUniforms(Span<T> u, int first, ulong seed, ulong offset)
    {
        Span<uint> words = stackalloc uint[PhiloxVector.Words];
        int j = 0;
        while (j < u.Length)
        {
            int element = first + j;
            if (PhiloxVector.IsSupported && element % 4 == 0 && u.Length - j >= PhiloxVector.Words)
            {
                PhiloxVector.Generate(seed, offset, (ulong)element / 4, words);
                for (int w = 0; w < PhiloxVector.Words; w++, j++) u[j] = T.CreateTruncating(Philox.ToUniform(words[w]));
                continue;
            }
            var block = Philox.Block(seed, offset, (ulong)element / 4);
            for (int word = element % 4; word < 4 && j < u.Length; word++, j++)
                u[j] = T.CreateTruncating(Philox.ToUniform(Word(block, word)));
        }
    }

    private static void Apply(Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> u, float p, T scale)
    {
        T pT = T.CreateTruncating(p);
        var pVector = new Vector<T>(pT);
        var scaleVector = new Vector<T>(scale);
        int j = 0;
        for (; j <= x.Length - Vector<T>.Count; j += Vector<T>.Count)
        {
            var keep = Vector.GreaterThanOrEqual(new Vector<T>(u[j..]), pVector);
            Vector.ConditionalSelect(keep, new Vector<T>(x[j..]) * scaleVector, Vector<T>.Zero).CopyTo(y[j..]);
        }
        for (; j < x.Length; j++) y[j] = u[j] >= pT ? x[j] * scale : T.Zero;
    }

    /// <summary>Word <paramref name="index"/> (0..3) of a Philox block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Word((uint X0, uint X1, uint X2, uint X3) block, int index) => index switch
    {
        0 => block.X0,
        1 => block.X1,
        2 => block.X2,
        _ => block.X3,
    };
}
