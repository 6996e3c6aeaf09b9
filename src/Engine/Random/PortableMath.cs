using System.Runtime.CompilerServices;

namespace CudaNet;

/// <summary>
/// Float32 logarithm, sine and cosine built only from IEEE-754 +, -, *, / and sqrt (plus exact bit moves), so
/// every device that rounds those operations correctly produces bit-identical results. Gaussian noise
/// (<see cref="PhiloxNormal"/>) is built on it, which is what makes CPU and GPU noise identical (DESIGN.md §6).
/// </summary>
/// <remarks>
/// <para>Why not <c>MathF.Log</c> / <c>logf</c>: libm and CUDA's math library are accurate to an ulp or two but
/// not correctly rounded, so they differ from each other in the last bit.</para>
/// <para>Porting rules (C#, CUDA, anything else): evaluate every expression exactly as written, left to right,
/// in float32; no fused multiply-add (nvcc and clang contract <c>a*b+c</c> by default: build with
/// <c>-fmad=false</c> / <c>-ffp-contract=off</c> or write <c>__fmul_rn</c>/<c>__fadd_rn</c>); IEEE division and
/// square root (no <c>-use_fast_math</c>, <c>-prec-div=true -prec-sqrt=true</c>). Flushing subnormals to zero
/// does not matter for the inputs <see cref="PhiloxNormal"/> uses: no intermediate is subnormal there (the
/// smallest is about 2⁻¹⁰⁰, in <see cref="Log"/> next to 1). .NET never contracts float operations into FMA.</para>
/// <para>Accuracy (asserted by the tests against double-precision <c>Math.Log</c>/<c>Math.Sin</c>/<c>Math.Cos</c>):
/// <see cref="Log"/> is within 1 ulp (measured 0.84) on every float in [1/2, 2), on every 997th normal float and on
/// every Box–Muller input; <see cref="SinCosTwoPi"/> is within 1.5 ulp (measured 1.35; exact 0 and ±1 at the quadrants)
/// on every multiple of 2⁻²⁴ in [0, 1), i.e. every Box–Muller angle.</para>
/// </remarks>
public static class PortableMath
{
    // ln 2 split so that k·Ln2Hi is exact for |k| < 2¹² (Ln2Hi has 12 trailing zero bits): fdlibm's e_logf.c.
    internal const float Ln2Hi = 6.9313812256e-01f;  // 0x3f317180
    internal const float Ln2Lo = 9.0580006145e-06f;  // 0x3717f7d1

    // FreeBSD e_logf.c: minimax for (log(1+s) - log(1-s))/s ≈ 2s + s·R(s²) on |s| < 0.1716,
    // |error| < 2^-34.24 before rounding.
    internal const float Lg1 = 0.66666662693f;  // 0xaaaaaa.0p-24
    internal const float Lg2 = 0.40000972152f;  // 0xccce13.0p-25
    internal const float Lg3 = 0.28498786688f;  // 0x91e9ee.0p-25
    internal const float Lg4 = 0.24279078841f;  // 0xf89e26.0p-26

    // sin(π/2·f) ≈ f + f·(S0 + t·(S1 + t·(S2 + t·S3))), t = f², |f| ≤ 1/2: a least-squares minimax fit in double
    // (relative error 3.1e-9 ≈ 0.05 ulp) rounded to float. S0 = π/2 - 1: adding the exact f last keeps the
    // rounding of the leading coefficient out of the result (worst case 1.35 ulp instead of 1.72 with f·(π/2 + …)).
    internal const float S0 = 0.5707963267948966f;
    internal const float S1 = -0.6459634900093079f;
    internal const float S2 = 0.07968022674322128f;
    internal const float S3 = -0.004602177068591118f;

    // cos(π/2·f) ≈ 1 + t·(C1 + t·(C2 + t·(C3 + t·C4))), t = f², |f| ≤ 1/2: same fit, absolute error 4.7e-11.
    internal const float C1 = -1.2337005138397217f;
    internal const float C2 = 0.25366920232772827f;
    internal const float C3 = -0.02086007036268711f;
    internal const float C4 = 0.0009036316769197583f;

    // 1.5·2²³: adding and subtracting it rounds |v| < 2²² to the nearest integer (ties to even), exactly.
    internal const float RoundingShift = 12582912.0f;

    /// <summary>
    /// Natural logarithm of a positive normal float (0 &lt; x, x ≥ 2⁻¹²⁶, finite); other inputs are not
    /// supported (no NaN, infinity or subnormal handling: the Gaussian sampler never produces them).
    /// </summary>
    /// <remarks>
    /// Range reduction: x = 2ᵏ·m with m in [√2/2, √2) read exactly from the bits; f = m - 1 (exact), s = f/(2+f).
    /// log(m) = f - (f²/2 - s·(f²/2 + R(s²))) with fdlibm's polynomial R, and log(x) = k·ln2 + log(m) with ln 2
    /// split in two so that k·ln2_hi is exact (the scheme of fdlibm / FreeBSD <c>logf</c>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        int k = (bits >> 23) - 127;
        int mantissa = bits & 0x007fffff;
        // 0x800000 when the mantissa is at least 0x3504e0 (m ≥ ~√2): then use m/2 and k + 1.
        int half = (mantissa + 0x4afb20) & 0x800000;
        float m = BitConverter.Int32BitsToSingle(mantissa | (half ^ 0x3f800000));
        k += half >> 23;
        float f = m - 1.0f;
        float s = f / (2.0f + f);
        float z = s * s;
        float w = z * z;
        float r = z * (Lg1 + w * Lg3) + w * (Lg2 + w * Lg4);
        float halfSquare = 0.5f * f * f;
        float dk = k;
        return dk * Ln2Hi - ((halfSquare - (s * (halfSquare + r) + dk * Ln2Lo)) - f);
    }

    /// <summary>
    /// sin(2π·<paramref name="turns"/>) and cos(2π·<paramref name="turns"/>) for |turns| &lt; 2²⁰: the angle is given
    /// in turns so that range reduction is exact (Box–Muller's angle is 2π·u for a uniform u).
    /// </summary>
    /// <remarks>
    /// Range reduction: v = 4·turns (exact), q = round(v) (exact, by adding and subtracting 1.5·2²³),
    /// f = v - q in [-1/2, 1/2] (exact), so the angle is (π/2)·(q + f). sin and cos of (π/2)·f come from the
    /// polynomials above with π/2 folded into the coefficients; the quadrant q mod 4 swaps and negates them.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Sin, float Cos) SinCosTwoPi(float turns)
    {
        float v = 4.0f * turns;
        float q = (v + RoundingShift) - RoundingShift;
        float f = v - q;
        float t = f * f;
        float sin = f + f * (S0 + t * (S1 + t * (S2 + t * S3)));
        float cos = 1.0f + t * (C1 + t * (C2 + t * (C3 + t * C4)));
        return ((int)q & 3) switch
        {
            0 => (sin, cos),
            1 => (cos, -sin),
            2 => (-sin, -cos),
            _ => (-cos, sin),
        };
    }
}
