using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Batch-norm training forward. x (N,F), y (N,F); savedMean, savedInvStd, runningMean, runningVar, gamma, beta (F).
/// Per column: mean μ, M2 = Σ(x-μ)², invstd = 1/√(M2/N + eps); y = (x-μ)·(invstd·γ) + β;
/// running mean ← m·μ + (1-m)·running mean, running var ← m·M2/(N-1) + (1-m)·running var (PyTorch's order).
/// Napkin math: x is read three times (two statistics passes, one normalising pass) and y written once,
/// 4·N·F·sizeof(T) bytes.
/// </summary>
internal static class BatchNormTraining<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Columns whose per-column scratch lives on the stack at once.</summary>
    private const int TileColumns = 256;

    /// <summary>The reference: one column at a time with plain scalar loops, statistics accumulated in T.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> runningMean,
        Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps)
    {
        var ys = CpuBackend<T>.Span(y);
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        var gammas = CpuBackend<T>.Span(gamma);
        var betas = CpuBackend<T>.Span(beta);
        var runningMeans = CpuBackend<T>.Span(runningMean);
        var runningVars = CpuBackend<T>.Span(runningVar);
        int rows = x.Shape[0], features = x.Shape[1];
        T n = T.CreateTruncating(rows);
        for (int f = 0; f < features; f++)
        {
            var (mean, m2) = NormStatistics<T>.Reference(xs, f, rows, features);
            means[f] = mean;
            invStds[f] = NormStatistics<T>.InvStd(m2, n, eps);
            UpdateRunning(ref runningMeans[f], ref runningVars[f], mean, m2, n, momentum);
        }
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                int i = r * features + f;
                ys[i] = (xs[i] - means[f]) * (invStds[f] * gammas[f]) + betas[f];
            }
    }

    /// <summary>
    /// SIMD: statistics vectorised across features (each row adds a vector of adjacent columns) and parallel over
    /// column blocks; the normalising pass is vectorised along rows and parallel over row blocks. Each column is
    /// summed over rows in row order whatever the chunking, so results do not depend on the thread count.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd,
        Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps)
    {
        int rows = x.Shape[0], features = x.Shape[1];
        backend.ParallelFor(features, NormStatistics<T>.ColumnGrain(rows), (start, end) =>
        {
            for (int tile = start; tile < end; tile += TileColumns)
                ColumnStatistics(savedMean, savedInvStd, runningMean, runningVar, x, tile, Math.Min(TileColumns, end - tile), momentum, eps);
        });
        backend.ParallelFor(rows, NormStatistics<T>.RowGrain(features), (start, end) =>
            BatchNormInference<T>.NormalizeRows(y, x, savedMean, savedInvStd, gamma, beta, start, end));
    }

    /// <summary>Statistics of columns [first, first + count) of x (N,F): vector accumulators run down the rows.</summary>
    private static void ColumnStatistics(Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> runningMean,
        Tensor<T> runningVar, Tensor<T> x, int first, int count, T momentum, T eps)
    {
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(savedMean).Slice(first, count);
        var sumSquares = CpuBackend<T>.Span(savedInvStd).Slice(first, count);
        Span<T> sums = stackalloc T[count];
        int rows = x.Shape[0], features = x.Shape[1];
        T n = T.CreateTruncating(rows);

        // Pass 1: Σ (x - row 0), shifted so large offsets do not cancel; `means` holds the running sums.
        var shifts = xs.Slice(first, count);
        means.Clear();
        for (int r = 0; r < rows; r++)
            AddDeviations(xs.Slice(r * features + first, count), shifts, means, squares: Span<T>.Empty);
        for (int f = 0; f < count; f++) means[f] = shifts[f] + means[f] / n;

        // Pass 2: Σ (x - μ) and Σ (x - μ)².
        sums.Clear();
        sumSquares.Clear();
        for (int r = 0; r < rows; r++)
            AddDeviations(xs.Slice(r * features + first, count), means, sums, sumSquares);

        var runningMeans = CpuBackend<T>.Span(runningMean);
        var runningVars = CpuBackend<T>.Span(runningVar);
        for (int f = 0; f < count; f++)
        {
            T m2 = NormStatistics<T>.CorrectedM2(sums[f], sumSquares[f], n);
            sumSquares[f] = NormStatistics<T>.InvStd(m2, n, eps);
            UpdateRunning(ref runningMeans[first + f], ref runningVars[first + f], means[f], m2, n, momentum);
        }
    }

    /// <summary>sums += row - centers and, when given, squares += (row - centers)², elementwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddDeviations(ReadOnlySpan<T> row, ReadOnlySpan<T> centers, Span<T> sums, Span<T> squares)
    {
        int count = row.Length, width = Vector<T>.Count, i;
        ref T rowStart = ref MemoryMarshal.GetReference(row);
        ref T centerStart = ref MemoryMarshal.GetReference(centers);
        ref T sumStart = ref MemoryMarshal.GetReference(sums);
        bool withSquares = !squares.IsEmpty;
        ref T squareStart = ref MemoryMarshal.GetReference(squares);
        for (i = 0; i <= count - width; i += width)
        {
            var d = Vector.LoadUnsafe(ref rowStart, (nuint)i) - Vector.LoadUnsafe(ref centerStart, (nuint)i);
            (Vector.LoadUnsafe(ref sumStart, (nuint)i) + d).StoreUnsafe(ref sumStart, (nuint)i);
            if (withSquares) (Vector.LoadUnsafe(ref squareStart, (nuint)i) + d * d).StoreUnsafe(ref squareStart, (nuint)i);
        }
        for (; i < count; i++)
        {
            T d = row[i] - centers[i];
            sums[i] += d;
            if (withSquares) squares[i] += d * d;
        }
    }

    private static void UpdateRunning(ref T runningMean, ref T runningVar, T mean, T m2, T n, T momentum)
    {
        T keep = T.One - momentum;
        runningMean = momentum * mean + keep * runningMean;
        runningVar = momentum * (m2 / (n - T.One)) + keep * runningVar;
    }
}
