using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static CudaNet.PortableMath;

namespace CudaNet.Cpu;

/// <summary>
/// <see cref="PhiloxNormal"/> on eight Philox blocks (32 normals) at once: the same float32 operations as
/// <see cref="PortableMath"/> in the same order, lane by lane, so the results are bit-identical (IEEE vector
/// arithmetic rounds exactly like scalar; .NET never fuses a multiply and an add).
/// </summary>
internal static class PhiloxNormalVector
{
    /// <summary>Whether this machine runs the vector path.</summary>
    public static bool IsSupported => PhiloxVector.IsSupported;

    /// <summary>normals[j] = normal of element 4·firstBlock + j, j in 0..31.</summary>
    public static void Generate(ulong seed, ulong offset, ulong firstBlock, Span<float> normals)
    {
        var (x0, x1, x2, x3) = PhiloxVector.GenerateLanes(seed, offset, firstBlock);
        var (z0, z1) = Pair(x0, x1);
        var (z2, z3) = Pair(x2, x3);
        PhiloxVector.Interleave(z0, z1, z2, z3, normals);
    }

    /// <summary>Box–Muller as in <see cref="PhiloxNormal.Pair"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Z0, Vector256<float> Z1) Pair(Vector256<uint> radiusWord, Vector256<uint> angleWord)
    {
        var scale = Vector256.Create(1.0f / 16777216.0f);
        var u1 = Vector256.ConvertToSingle((Vector256.ShiftRightLogical(radiusWord, 8) + Vector256<uint>.One).AsInt32()) * scale;
        var u2 = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(angleWord, 8).AsInt32()) * scale;
        var radius = Vector256.Sqrt(Vector256.Create(-2.0f) * Log(u1));
        var (sin, cos) = SinCosTwoPi(u2);
        return (radius * cos, radius * sin);
    }

    /// <summary><see cref="PortableMath.Log"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Log(Vector256<float> x)
    {
        var bits = x.AsInt32();
        var k = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127);
        var mantissa = bits & Vector256.Create(0x007fffff);
        var half = (mantissa + Vector256.Create(0x4afb20)) & Vector256.Create(0x800000);
        var m = (mantissa | (half ^ Vector256.Create(0x3f800000))).AsSingle();
        k += Vector256.ShiftRightArithmetic(half, 23);
        var f = m - Vector256<float>.One;
        var s = f / (Vector256.Create(2.0f) + f);
        var z = s * s;
        var w = z * z;
        var r = z * (Vector256.Create(Lg1) + w * Vector256.Create(Lg3)) + w * (Vector256.Create(Lg2) + w * Vector256.Create(Lg4));
        var halfSquare = Vector256.Create(0.5f) * f * f;
        var dk = Vector256.ConvertToSingle(k);
        return dk * Vector256.Create(Ln2Hi) - ((halfSquare - (s * (halfSquare + r) + dk * Vector256.Create(Ln2Lo))) - f);
    }

    /// <summary><see cref="PortableMath.SinCosTwoPi"/> per lane; negation flips the sign bit exactly like scalar -x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Sin, Vector256<float> Cos) SinCosTwoPi(Vector256<float> turns)
    {
        var shift = Vector256.Create(RoundingShift);
        var v = Vector256.Create(4.0f) * turns;
        var q = (v + shift) - shift;
        var f = v - q;
        var t = f * f;
        var sinF = f + f * (Vector256.Create(S0) + t * (Vector256.Create(S1) + t * (Vector256.Create(S2) + t * Vector256.Create(S3))));
        var cosF = Vector256<float>.One + t * (Vector256.Create(C1) + t * (Vector256.Create(C2) + t * (Vector256.Create(C3) + t * Vector256.Create(C4))));
        var quadrant = Vector256.ConvertToInt32(q);
        var swap = Vector256.Equals(quadrant & Vector256<int>.One, Vector256<int>.One).AsSingle();
        var signBit = Vector256.Create(-0.0f);
        var negateSin = Vector256.Equals(quadrant & Vector256.Create(2), Vector256.Create(2)).AsSingle() & signBit;
        var negateCos = Vector256.Equals((quadrant + Vector256<int>.One) & Vector256.Create(2), Vector256.Create(2)).AsSingle() & signBit;
        var sin = Vector256.ConditionalSelect(swap, cosF, sinF) ^ negateSin;
        var cos = Vector256.ConditionalSelect(swap, sinF, cosF) ^ negateCos;
        return (sin, cos);
    }
}
