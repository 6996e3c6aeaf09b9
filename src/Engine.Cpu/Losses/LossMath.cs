using System.Buffers;
using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// Pieces shared by the loss kernels: an accurate log1p (scalar and vector), a fast Vector&lt;T&gt; exp for
/// x ≤ 0, Vector&lt;T&gt; log, and the deterministic blocked sum behind every mean.
/// </summary>
internal static class LossMath
{
    /// <summary>Elements per block of a blocked sum (whole vectors at every width; ~32K elements of work so
    /// a block is worth a thread).</summary>
    public const int BlockElements = 32 * 1024;

    /// <summary>Elements a Vector&lt;T&gt; accumulator sums before it is folded into the float64 block sum, so no
    /// float32 lane ever adds more than a few hundred terms.</summary>
    public const int SubBlockElements = 1024;

    /// <summary>
    /// log(1 + z) for z in [0, 1], accurate to a few ulps even when z is far below the epsilon of 1 (Goldberg's
    /// trick: the rounding of 1 + z cancels between log(u) and u - 1). The BCL's <c>LogP1</c> is
    /// <c>Log(z + 1)</c>, which returns 0 for tiny z.
    /// </summary>
    public static T Log1p<T>(T z) where T : IFloatingPointIeee754<T>
    {
        T u = T.One + z;
        T rounded = u - T.One;
        return rounded == T.Zero ? z : T.Log(u) * (z / rounded);
    }

    /// <summary>Lane-wise <see cref="Log1p{T}(T)"/> for z in [0, 1].</summary>
    public static Vector<T> Log1p<T>(Vector<T> z) where T : IFloatingPointIeee754<T>
    {
        Vector<T> u = Vector<T>.One + z;
        Vector<T> rounded = u - Vector<T>.One;
        // Lanes with rounded == 0 divide by zero in the unselected branch; the select discards them.
        return Vector.ConditionalSelect(Vector.Equals(rounded, Vector<T>.Zero), z, Log(u) * (z / rounded));
    }

    /// <summary>
    /// Lane-wise e^x for x ≤ 0 (every exponent a loss takes: x - max and -|x|), -inf giving 0 and NaN staying NaN.
    /// The BCL's Vector.Exp measured no faster than a scalar loop (.NET 10, x64 AVX2), so this is the classic
    /// Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, a Taylor polynomial for e^r (degree 7 in float, 13 in
    /// double: truncation below half an ulp) and 2^k built in the exponent bits. Results below the smallest normal
    /// number flush to 0 (an absolute error under 1.2e-38 in float, 2.3e-308 in double).
    /// </summary>
    public static Vector<T> ExpOfNonPositive<T>(Vector<T> x) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return ExpOfNonPositive(x.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double)) return ExpOfNonPositive(x.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"CpuBackend: no vector exp for {typeof(T).Name}.");
    }

    /// <summary>1/n! for n = 6 down to 0 (1/7! starts the Horner scheme).</summary>
    private static ReadOnlySpan<float> Taylor7 => [1f / 720, 1f / 120, 1f / 24, 1f / 6, 1f / 2, 1f, 1f];

    /// <summary>1/n! for n = 12 down to 0 (1/13! starts the Horner scheme).</summary>
    private static ReadOnlySpan<double> Taylor13 =>
        [1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120,
         1.0 / 24, 1.0 / 6, 0.5, 1, 1];

    private static Vector<float> ExpOfNonPositive(Vector<float> x)
    {
        // ln2 split so that k·Ln2High is exact for every k used (Ln2High has 9 significant bits).
        const float Log2E = 1.44269504f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
        const float SmallestNormalExponent = -87.3365447f; // log(2^-126)
        Vector<float> k = Vector.Round(x * Log2E);
        Vector<float> r = x - k * Ln2High - k * Ln2Low;
        Vector<float> p = new(1f / 5040);
        foreach (float coefficient in Taylor7) p = p * r + new Vector<float>(coefficient);
        Vector<float> scale = Vector.ShiftLeft(Vector.ConvertToInt32(k) + new Vector<int>(127), 23).As<int, float>();
        return Vector.ConditionalSelect(Vector.LessThan(x, new Vector<float>(SmallestNormalExponent)), Vector<float>.Zero, p * scale);
    }

    private static Vector<double> ExpOfNonPositive(Vector<double> x)
    {
        // fdlibm's ln2 split: k·Ln2High is exact for |k| < 2^11.
        const double Log2E = 1.4426950408889634, Ln2High = 6.93147180369123816490e-01, Ln2Low = 1.90821492927058770002e-10;
        const double SmallestNormalExponent = -708.39641853226408; // log(2^-1022)
        Vector<double> k = Vector.Round(x * Log2E);
        Vector<double> r = x - k * Ln2High - k * Ln2Low;
        Vector<double> p = new(1.0 / 6227020800);
        foreach (double coefficient in Taylor13) p = p * r + new Vector<double>(coefficient);
        Vector<double> scale = Vector.ShiftLeft(Vector.ConvertToInt64(k) + new Vector<long>(1023), 52).As<long, double>();
        return Vector.ConditionalSelect(Vector.LessThan(x, new Vector<double>(SmallestNormalExponent)), Vector<double>.Zero, p * scale);
    }

    /// <summary>Lane-wise natural logarithm (float and double).</summary>
    public static Vector<T> Log<T>(Vector<T> x) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector.Log(x.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector.Log(x.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"CpuBackend: no vector log for {typeof(T).Name}.");
    }

    /// <summary>
    /// Σ <paramref name="blockSum"/>(state, b) for b in [0, <paramref name="blocks"/>), the blocks computed in
    /// parallel and added in block order, so the result depends only on the block layout, never on the thread count.
    /// With a static lambda and a value-tuple state nothing is allocated.
    /// </summary>
    public static double SumBlocks<T, TState>(CpuBackend<T> backend, int blocks, TState state, Func<TState, int, double> blockSum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (blocks == 1) return blockSum(state, 0);
        double[] partials = ArrayPool<double>.Shared.Rent(blocks);
        try
        {
            backend.ParallelFor(blocks, 1, (state, partials, blockSum), static (s, _, start, end) =>
            {
                for (int block = start; block < end; block++) s.partials[block] = s.blockSum(s.state, block);
            });
            double sum = 0;
            for (int block = 0; block < blocks; block++) sum += partials[block];
            return sum;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(partials);
        }
    }
}
