using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Mean and sum of squared deviations (M2) shared by the normalisation kernels, plus their parallel grains.
/// </summary>
/// <remarks>
/// The reference and the contiguous variant are a shifted, corrected two-pass in the compute type T: pass 1 sums
/// x - K with K the first value (so a feature like 1e4 + small noise sums small numbers instead of cancelling large
/// ones), pass 2 sums the deviations d = x - mean and d², and M2 = Σd² - (Σd)²/n removes the bias left by rounding
/// the mean to T. The batch-norm statistics (<see cref="ColumnMoments{T}"/>) apply the same correction in one pass
/// per block around a nearby centre.
/// </remarks>
internal static class NormStatistics<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per parallel chunk below which splitting the work costs more than it saves.</summary>
    public const int GrainElements = 32 * 1024;

    /// <summary>Fewest columns per chunk of a column-parallel pass: each row then contributes a run of whole cache
    /// lines, instead of one line per row at a stride that maps every row onto the same cache set.</summary>
    public const int MinChunkColumns = 64;

    /// <summary>Columns per chunk when each column spans <paramref name="rows"/> rows.</summary>
    public static int ColumnGrain(int rows) => Math.Max(MinChunkColumns, GrainElements / Math.Max(rows, 1));

    /// <summary>Rows per chunk when each row has <paramref name="columns"/> columns.</summary>
    public static int RowGrain(int columns) => Math.Max(1, GrainElements / Math.Max(columns, 1));

    /// <summary>1/√(M2/n + eps): the inverse standard deviation from the biased variance, as PyTorch saves it.</summary>
    public static T InvStd(T m2, T n, T eps) => T.One / T.Sqrt(m2 / n + eps);

    /// <summary>
    /// Reference: mean and M2 of the <paramref name="count"/> values x[start + i·stride], plain scalar loops.
    /// </summary>
    public static (T Mean, T M2) Reference(ReadOnlySpan<T> x, int start, int count, int stride)
    {
        T n = T.CreateTruncating(count);
        T shift = x[start];
        T shiftedSum = T.Zero;
        for (int i = 0; i < count; i++) shiftedSum += x[start + i * stride] - shift;
        T mean = shift + shiftedSum / n;

        T sum = T.Zero, sumSquares = T.Zero;
        for (int i = 0; i < count; i++)
        {
            T d = x[start + i * stride] - mean;
            sum += d;
            sumSquares += d * d;
        }
        return (mean, CorrectedM2(sum, sumSquares, n));
    }

    /// <summary>SIMD: mean and M2 of a contiguous run of values, vectorised along it.</summary>
    public static (T Mean, T M2) Contiguous(ReadOnlySpan<T> x)
    {
        int count = x.Length, width = Vector<T>.Count, i;
        ref T start = ref MemoryMarshal.GetReference(x);
        T n = T.CreateTruncating(count);
        T shift = x[0];

        var shiftVector = new Vector<T>(shift);
        var shiftedSums = Vector<T>.Zero;
        for (i = 0; i <= count - width; i += width)
            shiftedSums += Vector.LoadUnsafe(ref start, (nuint)i) - shiftVector;
        T shiftedSum = Vector.Sum(shiftedSums);
        for (; i < count; i++) shiftedSum += x[i] - shift;
        T mean = shift + shiftedSum / n;

        var meanVector = new Vector<T>(mean);
        Vector<T> sums = Vector<T>.Zero, squares = Vector<T>.Zero;
        for (i = 0; i <= count - width; i += width)
        {
            var d = Vector.LoadUnsafe(ref start, (nuint)i) - meanVector;
            sums += d;
            squares += d * d;
        }
        T sum = Vector.Sum(sums), sumSquares = Vector.Sum(squares);
        for (; i < count; i++)
        {
            T d = x[i] - mean;
            sum += d;
            sumSquares += d * d;
        }
        return (mean, CorrectedM2(sum, sumSquares, n));
    }

    /// <summary>Σ(x - mean)² from the deviations' sums; never negative (NaN still propagates).</summary>
    // Inlined on purpose: the statistics loops call it once per column and block, and the JIT did not inline it by
    // itself into their fully optimised code, leaving those calls on tier-0 code for the first fraction of a second.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T CorrectedM2(T sum, T sumSquares, T n) => T.Max(T.Zero, sumSquares - sum * sum / n);
}
