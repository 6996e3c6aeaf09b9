using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CudaNet.Cpu;

/// <summary>
/// <see cref="Philox"/> on sixteen consecutive blocks at once with AVX-512 (lane = block), bit-identical to
/// <see cref="Philox.Block"/>. Each state word lives in the low half of a 64-bit lane (8 blocks per vector, two
/// vectors per word), because <c>vpmuludq</c> reads only those halves: a round is then one multiply, one shift
/// (the high word) and one three-way xor per product, and the garbage left in the upper halves never reaches a
/// multiply or the result. Per 64 stream elements: 10 rounds × 12 instructions in two independent chains (a round's
/// latency is multiply + shift + xor), plus 8 permutes that put the words into element order.
/// </summary>
internal static class PhiloxVector512
{
    /// <summary>Blocks per call (512-bit vectors of uint).</summary>
    public const int Blocks = 16;

    /// <summary>Words per call: the stream elements 4·firstBlock … 4·firstBlock + 63.</summary>
    public const int Words = 4 * Blocks;

    /// <summary>Whether this machine runs this path.</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>The ten round keys of a seed, broadcast once per call rather than once per round.</summary>
    [InlineArray(20)]
    public struct RoundKeys
    {
        private Vector512<ulong> _element;

        /// <summary>Element 2r is k0 of round r, element 2r + 1 is k1.</summary>
        public static RoundKeys Create(ulong seed)
        {
            var keys = new RoundKeys();
            uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
            for (int round = 0; round < 10; round++, k0 += Philox.W0, k1 += Philox.W1)
            {
                keys[2 * round] = Vector512.Create((ulong)k0);
                keys[2 * round + 1] = Vector512.Create((ulong)k1);
            }
            return keys;
        }
    }

    /// <summary>
    /// Words 4·firstBlock … 4·firstBlock + 63 of the stream in element order: vector j holds elements 16j … 16j + 15.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<uint> E0, Vector512<uint> E1, Vector512<uint> E2, Vector512<uint> E3) GenerateElements(
        in RoundKeys keys, ulong offset, ulong firstBlock)
    {
        var blocks = Vector512.Create(firstBlock) + Vector512.Create(0ul, 1, 2, 3, 4, 5, 6, 7);
        var a = new State(blocks, offset);
        var b = new State(blocks + Vector512.Create(8ul), offset);
        // Unrolled by hand, the two halves interleaved: straight-line code keeps all eight state vectors in registers.
        Round(ref a, ref b, keys[0], keys[1]);
        Round(ref a, ref b, keys[2], keys[3]);
        Round(ref a, ref b, keys[4], keys[5]);
        Round(ref a, ref b, keys[6], keys[7]);
        Round(ref a, ref b, keys[8], keys[9]);
        Round(ref a, ref b, keys[10], keys[11]);
        Round(ref a, ref b, keys[12], keys[13]);
        Round(ref a, ref b, keys[14], keys[15]);
        Round(ref a, ref b, keys[16], keys[17]);
        Round(ref a, ref b, keys[18], keys[19]);
        var (e0, e1) = a.ElementOrder();
        var (e2, e3) = b.ElementOrder();
        return (e0, e1, e2, e3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref State a, ref State b, Vector512<ulong> k0, Vector512<ulong> k1)
    {
        a = a.Round(k0, k1);
        b = b.Round(k0, k1);
    }

    /// <summary>The four counter/state words of eight blocks, word w in the low half of lane b of Cw.</summary>
    private readonly struct State(Vector512<ulong> c0, Vector512<ulong> c1, Vector512<ulong> c2, Vector512<ulong> c3)
    {
        private readonly Vector512<ulong> _c0 = c0, _c1 = c1, _c2 = c2, _c3 = c3;

        /// <summary>Counter (block low, block high, offset low, offset high) of the eight blocks in <paramref name="blocks"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public State(Vector512<ulong> blocks, ulong offset)
            : this(blocks, Vector512.ShiftRightLogical(blocks, 32), Vector512.Create(offset), Vector512.Create(offset >> 32))
        {
        }

        /// <summary>One Philox round: (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0)).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public State Round(Vector512<ulong> k0, Vector512<ulong> k1)
        {
            var product0 = Avx512F.Multiply(_c0.AsUInt32(), Vector512.Create((ulong)Philox.M0).AsUInt32());
            var product1 = Avx512F.Multiply(_c2.AsUInt32(), Vector512.Create((ulong)Philox.M1).AsUInt32());
            // 0x96 is the three-way exclusive or; the low products go on with their high words still attached.
            return new State(Avx512F.TernaryLogic(Vector512.ShiftRightLogical(product1, 32), _c1, k0, 0x96), product1,
                Avx512F.TernaryLogic(Vector512.ShiftRightLogical(product0, 32), _c3, k1, 0x96), product0);
        }

        /// <summary>The low words in element order: elements 0-15 (blocks 0-3) and 16-31 (blocks 4-7).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector512<uint> Low, Vector512<uint> High) ElementOrder()
        {
            // Qword j of pairs01 is (word 0, word 1) of block j, of pairs23 (word 2, word 3).
            var lowWords = Vector512.Create(0u, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
            var pairs01 = Avx512F.PermuteVar16x32x2(_c0.AsUInt32(), lowWords, _c1.AsUInt32()).AsUInt64();
            var pairs23 = Avx512F.PermuteVar16x32x2(_c2.AsUInt32(), lowWords, _c3.AsUInt32()).AsUInt64();
            return (Avx512F.PermuteVar8x64x2(pairs01, Vector512.Create(0ul, 8, 1, 9, 2, 10, 3, 11), pairs23).AsUInt32(),
                Avx512F.PermuteVar8x64x2(pairs01, Vector512.Create(4ul, 12, 5, 13, 6, 14, 7, 15), pairs23).AsUInt32());
        }
    }
}
