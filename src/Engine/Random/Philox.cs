using System.Runtime.CompilerServices;

namespace CudaNet;

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the generator of Random123
/// and cuRAND): a counter-based generator, so the value for element i is a pure function of (seed, offset, i)
/// and every backend produces bit-identical masks and noise (DESIGN.md §6).
/// </summary>
/// <remarks>
/// Stream layout shared by every backend: key = (seed low, seed high); the 128-bit counter for element i is
/// (block low, block high, offset low, offset high) with block = i / 4; element i takes word i % 4 of that block.
/// A layer advances its offset by one per call, which gives each call its own stream of 2⁶⁴ blocks.
/// The same layout is implemented in <c>kernels.cu</c>.
/// </remarks>
public static class Philox
{
    /// <summary>Round multipliers and key increments (Salmon et al., Table 2), shared with the vectorised CPU path.</summary>
    internal const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    internal const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>The ten-round Philox4x32 bijection of <paramref name="counter"/> under <paramref name="key"/>.</summary>
    public static (uint X0, uint X1, uint X2, uint X3) Generate(
        (uint C0, uint C1, uint C2, uint C3) counter, (uint K0, uint K1) key)
    {
        var (c0, c1, c2, c3) = counter;
        var (k0, k1) = key;
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            ulong p0 = (ulong)M0 * c0;
            ulong p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0;
            uint hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
        }
        return (c0, c1, c2, c3);
    }

    /// <summary>The four words of block <paramref name="block"/> of the stream (seed, offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (uint X0, uint X1, uint X2, uint X3) Block(ulong seed, ulong offset, ulong block) =>
        Generate(((uint)block, (uint)(block >> 32), (uint)offset, (uint)(offset >> 32)), ((uint)seed, (uint)(seed >> 32)));

    /// <summary>Maps a word to a float in [0, 1) exactly: its top 24 bits times 2⁻²⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUniform(uint word) => (word >> 8) * (1.0f / 16777216.0f);

    /// <summary>The dropout / DropConnect rule: element kept when its uniform is ≥ p (so p = 0 keeps all).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Keep(uint word, float p) => ToUniform(word) >= p;
}
