using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CudaNet.Cpu;

/// <summary>
/// <see cref="Philox"/> on eight consecutive blocks at once with AVX2 (lane = block), bit-identical to
/// <see cref="Philox.Block"/>. The 32×32→64 multiplies use <c>vpmuludq</c> on the even and odd lanes.
/// </summary>
internal static class PhiloxVector
{
    /// <summary>Blocks per call (256-bit vectors of uint).</summary>
    public const int Blocks = 8;

    /// <summary>Words per call: the stream elements 4·firstBlock … 4·firstBlock + 31.</summary>
    public const int Words = 4 * Blocks;

    private const uint M0 = Philox.M0, M1 = Philox.M1, W0 = Philox.W0, W1 = Philox.W1;

    /// <summary>Whether this machine runs the vector path (otherwise callers use <see cref="Philox.Block"/>).</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>words[4·b + w] = word w of block firstBlock + b, for b in 0..7: element order of the stream.</summary>
    public static void Generate(ulong seed, ulong offset, ulong firstBlock, Span<uint> words)
    {
        var (x0, x1, x2, x3) = GenerateLanes(seed, offset, firstBlock);
        Interleave(x0, x1, x2, x3, words);
    }

    /// <summary>Word w of blocks firstBlock … firstBlock + 7 in vector Xw, lane b = block firstBlock + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<uint> X0, Vector256<uint> X1, Vector256<uint> X2, Vector256<uint> X3) GenerateLanes(
        ulong seed, ulong offset, ulong firstBlock)
    {
        var lane = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        var firstLow = Vector256.Create((uint)firstBlock);
        var c0 = firstLow + lane;
        // A lane whose low word wrapped around carries into the high word (the compare gives all ones = -1).
        var c1 = Vector256.Create((uint)(firstBlock >> 32)) - Vector256.LessThan(c0, firstLow);
        var c2 = Vector256.Create((uint)offset);
        var c3 = Vector256.Create((uint)(offset >> 32));
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        var m0 = Vector256.Create(M0);
        var m1 = Vector256.Create(M1);
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            var (hi0, lo0) = MultiplyHighLow(m0, c0);
            var (hi1, lo1) = MultiplyHighLow(m1, c2);
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ Vector256.Create(k0), lo1, hi0 ^ c3 ^ Vector256.Create(k1), lo0);
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>
    /// Words 4·firstBlock … 4·firstBlock + 31 of the stream in element order: vector j holds elements 8j … 8j + 7
    /// (a 4×8 transpose of <see cref="GenerateLanes"/> in registers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<uint> E0, Vector256<uint> E1, Vector256<uint> E2, Vector256<uint> E3) GenerateElements(
        ulong seed, ulong offset, ulong firstBlock)
    {
        var (x0, x1, x2, x3) = GenerateLanes(seed, offset, firstBlock);
        var pairs01Low = Avx2.UnpackLow(x0, x1).AsUInt64();
        var pairs01High = Avx2.UnpackHigh(x0, x1).AsUInt64();
        var pairs23Low = Avx2.UnpackLow(x2, x3).AsUInt64();
        var pairs23High = Avx2.UnpackHigh(x2, x3).AsUInt64();
        // Each 128-bit half now holds one whole block: blocks (0 | 4), (1 | 5), (2 | 6), (3 | 7).
        var blocks04 = Avx2.UnpackLow(pairs01Low, pairs23Low).AsUInt32();
        var blocks15 = Avx2.UnpackHigh(pairs01Low, pairs23Low).AsUInt32();
        var blocks26 = Avx2.UnpackLow(pairs01High, pairs23High).AsUInt32();
        var blocks37 = Avx2.UnpackHigh(pairs01High, pairs23High).AsUInt32();
        return (Avx2.Permute2x128(blocks04, blocks15, 0x20), Avx2.Permute2x128(blocks26, blocks37, 0x20),
            Avx2.Permute2x128(blocks04, blocks15, 0x31), Avx2.Permute2x128(blocks26, blocks37, 0x31));
    }

    /// <summary>destination[4·b + w] = lane b of vector w: lanes (one per block) back to element order.</summary>
    public static void Interleave<TWord>(Vector256<TWord> x0, Vector256<TWord> x1, Vector256<TWord> x2, Vector256<TWord> x3,
        Span<TWord> destination)
    {
        for (int block = 0; block < Blocks; block++)
        {
            destination[4 * block] = x0[block];
            destination[4 * block + 1] = x1[block];
            destination[4 * block + 2] = x2[block];
            destination[4 * block + 3] = x3[block];
        }
    }

    /// <summary>The high and low 32 bits of m·a per lane (m the same in every lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> High, Vector256<uint> Low) MultiplyHighLow(Vector256<uint> m, Vector256<uint> a)
    {
        var even = Avx2.Multiply(a, m).AsUInt32();  // 64-bit products of lanes 0, 2, 4, 6
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m).AsUInt32();  // lanes 1, 3, 5, 7
        var low = Avx2.Blend(even, Avx2.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), 0b10101010);
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32(), odd, 0b10101010);
        return (high, low);
    }
}
