using System.Buffers;
using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// Pieces shared by the loss kernels: an accurate log1p (scalar and vector), Vector&lt;T&gt; exp/log for the
/// compute types, and the deterministic blocked sum behind every mean.
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

    /// <summary>Lane-wise e^x (float and double; the JIT keeps only the matching branch).</summary>
    public static Vector<T> Exp<T>(Vector<T> x) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector.Exp(x.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector.Exp(x.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"CpuBackend: no vector exp for {typeof(T).Name}.");
    }

    /// <summary>Lane-wise natural logarithm (float and double).</summary>
    public static Vector<T> Log<T>(Vector<T> x) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return Vector.Log(x.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector.Log(x.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"CpuBackend: no vector log for {typeof(T).Name}.");
    }

    /// <summary>
    /// Σ <paramref name="blockSum"/>(b) for b in [0, <paramref name="blocks"/>), the blocks computed in parallel
    /// and added in block order, so the result depends only on the block layout, never on the thread count.
    /// </summary>
    public static double SumBlocks<T>(CpuBackend<T> backend, int blocks, Func<int, double> blockSum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (blocks == 1) return blockSum(0);
        double[] partials = ArrayPool<double>.Shared.Rent(blocks);
        try
        {
            backend.ParallelFor(blocks, 1, (start, end) =>
            {
                for (int block = start; block < end; block++) partials[block] = blockSum(block);
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
