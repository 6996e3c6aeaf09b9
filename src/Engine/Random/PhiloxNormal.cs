using System.Runtime.CompilerServices;

namespace CudaNet;

/// <summary>
/// Standard-normal samples from the Philox stream (<see cref="Philox"/>) by the Box–Muller transform, computed in
/// float32 with <see cref="PortableMath"/> so that every backend produces the same bits (DESIGN.md §6).
/// </summary>
/// <remarks>
/// Layout: block b of the stream (seed, offset) has words (x0, x1, x2, x3); (x0, x1) give the normals of elements
/// 4b and 4b + 1, (x2, x3) those of 4b + 2 and 4b + 3. For a pair (a, c):
/// u1 = (top24(a) + 1)·2⁻²⁴ in (0, 1] (so the logarithm never sees 0), u2 = top24(c)·2⁻²⁴ in [0, 1),
/// r = sqrt(-2·log u1), z₀ = r·cos(2π·u2), z₁ = r·sin(2π·u2).
/// Because u1 ≥ 2⁻²⁴, |z| ≤ sqrt(48·ln 2) ≈ 5.77: the tails beyond 5.77σ (probability 8·10⁻⁹) are cut off.
/// </remarks>
public static class PhiloxNormal
{
    /// <summary>Maps a word to a float in (0, 1] exactly: (top 24 bits + 1) times 2⁻²⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToUniformOpenZero(uint word) => ((word >> 8) + 1) * (1.0f / 16777216.0f);

    /// <summary>The Box–Muller pair from two words: (r·cos 2πu2, r·sin 2πu2), see the remarks of the class.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Z0, float Z1) Pair(uint radiusWord, uint angleWord)
    {
        float radius = MathF.Sqrt(-2.0f * PortableMath.Log(ToUniformOpenZero(radiusWord)));
        var (sin, cos) = PortableMath.SinCosTwoPi(Philox.ToUniform(angleWord));
        return (radius * cos, radius * sin);
    }

    /// <summary>The four normals of block <paramref name="block"/> (elements 4·block … 4·block + 3) of the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Z0, float Z1, float Z2, float Z3) Block(ulong seed, ulong offset, ulong block)
    {
        var (x0, x1, x2, x3) = Philox.Block(seed, offset, block);
        var (z0, z1) = Pair(x0, x1);
        var (z2, z3) = Pair(x2, x3);
        return (z0, z1, z2, z3);
    }

    /// <summary>The normal of element <paramref name="index"/> of the stream (seed, offset).</summary>
    public static float Element(ulong seed, ulong offset, ulong index)
    {
        var (z0, z1, z2, z3) = Block(seed, offset, index / 4);
        return (index % 4) switch { 0 => z0, 1 => z1, 2 => z2, _ => z3 };
    }
}
