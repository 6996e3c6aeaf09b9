using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Fused softmax cross-entropy with PyTorch's label smoothing (<c>F.cross_entropy(label_smoothing=ε)</c>):
/// logits x (N,C), labels y (N); with m = max_c x[n,c] and s = Σ_c e^(x[n,c] - m), log p[n,c] = x[n,c] - m - log s
/// never overflows, and
///   loss = mean_n [(1-ε)·(-log p[n,y]) + ε·mean_c(-log p[n,c])],  dLogits = (p - q)/N, q = (1-ε)·onehot + ε/C.
/// The ε term is skipped when ε = 0, so a row with -inf logits elsewhere than its label stays finite (as in
/// PyTorch); with ε &gt; 0 such a row's loss is +inf, again as in PyTorch, while its gradient stays finite.
/// </summary>
internal static class SoftmaxCrossEntropyKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const string Op = "SoftmaxCrossEntropy";

    /// <summary>The reference: plain loops, one row at a time. Per-row sums accumulate in T; the batch sum of the
    /// row losses accumulates in float64, because a float32 sum over a large batch would lose digits of the
    /// scalar that training curves are read from.</summary>
    public static void Reference(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<int> labels, T epsilon)
    {
        int rows = logits.Rows, classes = logits.Columns;
        ReadOnlySpan<T> x = CpuBackend<T>.Span(logits);
        ReadOnlySpan<int> y = CpuBackend<T>.Span(labels);
        Span<T> dx = dLogits is null ? default : CpuBackend<T>.Span(dLogits);
        CheckLabels(y, classes);

        T count = T.CreateChecked(rows), classCount = T.CreateChecked(classes);
        double total = 0;
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<T> row = x.Slice(n * classes, classes);
            T max = row[0];
            for (int c = 1; c < classes; c++) max = T.Max(max, row[c]);
            T sumExp = T.Zero;
            for (int c = 0; c < classes; c++) sumExp += T.Exp(row[c] - max);
            T logSumExp = T.Log(sumExp);

            T rowLoss = (T.One - epsilon) * -(row[y[n]] - max - logSumExp);
            if (epsilon != T.Zero)
            {
                T smooth = T.Zero;
                for (int c = 0; c < classes; c++) smooth += -(row[c] - max - logSumExp);
                rowLoss += epsilon * (smooth / classCount);
            }
            total += double.CreateTruncating(rowLoss);

            if (dx.IsEmpty) continue;
            Span<T> dRow = dx.Slice(n * classes, classes);
            for (int c = 0; c < classes; c++)
            {
                T p = T.Exp(row[c] - max) / sumExp;
                T q = epsilon / classCount + (c == y[n] ? T.One - epsilon : T.Zero);
                dRow[c] = (p - q) / count;
            }
        }
        CpuBackend<T>.Span(loss)[0] = T.CreateTruncating(total / rows);
    }

    /// <summary>SIMD: rows in blocks of ~<see cref="LossMath.BlockElements"/> logits, blocks in parallel; each
    /// block sums its row losses in float64 in row order and the block sums are added in block order.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits,
        Tensor<int> labels, T epsilon)
    {
        int rows = logits.Rows, classes = logits.Columns;
        CheckLabels(CpuBackend<T>.Span(labels), classes);

        int blockRows = Math.Max(1, LossMath.BlockElements / classes);
        int blocks = (rows + blockRows - 1) / blockRows;
        double total = LossMath.SumBlocks(backend, blocks, (logits, labels, dLogits, rows, classes, blockRows, epsilon), static (s, block) =>
        {
            var (logits, labels, dLogits, rows, classes, blockRows, epsilon) = s;
            ReadOnlySpan<T> x = CpuBackend<T>.Span(logits);
            ReadOnlySpan<int> y = CpuBackend<T>.Span(labels);
            Span<T> dx = dLogits is null ? default : CpuBackend<T>.Span(dLogits);
            int end = Math.Min(rows, (block + 1) * blockRows);
            double sum = 0;
            for (int n = block * blockRows; n < end; n++)
            {
                Span<T> dRow = dx.IsEmpty ? default : dx.Slice(n * classes, classes);
                sum += Row(x.Slice(n * classes, classes), dRow, y[n], epsilon, rows);
            }
            return sum;
        });
        CpuBackend<T>.Span(loss)[0] = T.CreateTruncating(total / rows);
    }

    /// <summary>One row: returns its loss and, when <paramref name="dRow"/> is not empty, writes its gradient
    /// (the exponentials are parked in <paramref name="dRow"/> between the two passes instead of recomputed).</summary>
    private static double Row(ReadOnlySpan<T> row, Span<T> dRow, int label, T epsilon, int rows)
    {
        int classes = row.Length, width = Vector<T>.Count;
        bool gradient = !dRow.IsEmpty;
        ref T x = ref MemoryMarshal.GetReference(row);
        ref T dx = ref MemoryMarshal.GetReference(dRow);

        T max = row[0];
        int c = 0;
        if (classes >= width)
        {
            var maxes = Vector.LoadUnsafe(ref x);
            for (c = width; c <= classes - width; c += width) maxes = Vector.Max(maxes, Vector.LoadUnsafe(ref x, (nuint)c));
            for (int lane = 0; lane < width; lane++) max = T.Max(max, maxes[lane]);
        }
        for (; c < classes; c++) max = T.Max(max, row[c]);

        // s = Σ e^(x - m) and, for label smoothing, Σ (m - x) ≥ 0, which avoids cancelling huge logits.
        var maxVector = new Vector<T>(max);
        Vector<T> sums = Vector<T>.Zero, gaps = Vector<T>.Zero;
        for (c = 0; c <= classes - width; c += width)
        {
            Vector<T> shifted = Vector.LoadUnsafe(ref x, (nuint)c) - maxVector;
            Vector<T> e = LossMath.ExpOfNonPositive(shifted);
            sums += e;
            gaps -= shifted;
            if (gradient) e.StoreUnsafe(ref dx, (nuint)c);
        }
        T sumExp = Vector.Sum(sums), gap = Vector.Sum(gaps);
        for (; c < classes; c++)
        {
            T e = T.Exp(row[c] - max);
            sumExp += e;
            gap += max - row[c];
            if (gradient) dRow[c] = e;
        }

        double eps = double.CreateTruncating(epsilon);
        double rowLoss = Math.Log(double.CreateTruncating(sumExp)) + (1 - eps) * double.CreateTruncating(max - row[label]);
        if (epsilon != T.Zero) rowLoss += eps * double.CreateTruncating(gap) / classes;

        if (gradient) WriteGradient(dRow, sumExp, label, epsilon, rows);
        return rowLoss;
    }

    /// <summary>dRow holds e^(x - m); overwrites it with (e/s - q)/N.</summary>
    private static void WriteGradient(Span<T> dRow, T sumExp, int label, T epsilon, int rows)
    {
        int classes = dRow.Length, width = Vector<T>.Count;
        T inverseSum = T.One / sumExp, inverseCount = T.One / T.CreateChecked(rows);
        T smoothTarget = epsilon / T.CreateChecked(classes);
        T labelProbability = dRow[label] * inverseSum;

        ref T dx = ref MemoryMarshal.GetReference(dRow);
        var scale = new Vector<T>(inverseSum);
        var shift = new Vector<T>(smoothTarget);
        var countScale = new Vector<T>(inverseCount);
        int c = 0;
        for (; c <= classes - width; c += width)
            ((Vector.LoadUnsafe(ref dx, (nuint)c) * scale - shift) * countScale).StoreUnsafe(ref dx, (nuint)c);
        for (; c < classes; c++) dRow[c] = (dRow[c] * inverseSum - smoothTarget) * inverseCount;
        dRow[label] = (labelProbability - (smoothTarget + (T.One - epsilon))) * inverseCount;
    }

    /// <summary>The CPU sees the labels, so it reports the first bad one (a GPU backend cannot cheaply).</summary>
    private static void CheckLabels(ReadOnlySpan<int> labels, int classes)
    {
        for (int n = 0; n < labels.Length; n++)
        {
            if ((uint)labels[n] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[n],
                    $"{Op}: argument '{nameof(labels)}' has {labels[n]} at row {n}, outside [0, {classes}).");
        }
    }
}
