using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Elementwise;

/// <summary>
/// correct[0] += #{n : argmax_c logits[n, c] == labels[n]} — logits (N,C), labels (N) in [0, C), correct (1).
/// The argmax is <c>torch.argmax</c>'s: ties go to the first maximum, and NaN counts as larger than every number
/// (the first NaN of a row is its argmax), so a row holding NaN is correct only when its label points at the
/// row's first NaN. Napkin math: reads 4NC + 4N bytes (float32).
/// </summary>
internal static class ArgMaxCountCorrectKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: a scalar argmax per row, compared with the label.</summary>
    public static void Reference(Tensor<int> correct, Tensor<T> logits, Tensor<int> labels)
    {
        ThrowIfOutOfRange(labels, logits.Shape[1]);
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(logits);
        ReadOnlySpan<int> targets = CpuBackend<T>.Span(labels);
        int rows = logits.Shape[0], classes = logits.Shape[1];
        int count = 0;
        for (int n = 0; n < rows; n++)
            if (ArgMax(xs.Slice(n * classes, classes)) == targets[n]) count++;
        CpuBackend<T>.Span(correct)[0] += count;
    }

    /// <summary>The first index of the row's maximum, NaN counting as larger than every number.</summary>
    private static int ArgMax(ReadOnlySpan<T> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
        {
            bool larger = row[c] > row[best] || (T.IsNaN(row[c]) && !T.IsNaN(row[best]));
            if (larger) best = c;
        }
        return best;
    }

    public static void Simd(CpuBackend<T> backend, Tensor<int> correct, Tensor<T> logits, Tensor<int> labels)
    {
        ThrowIfOutOfRange(labels, logits.Shape[1]);
        int rows = logits.Shape[0];
        int grain = Chunked.ItemGrain(logits.Shape[1]);
        // Integer counts add exactly, so the order in which chunks finish does not matter.
        backend.ParallelFor(rows, grain, (correct, logits, labels), static (s, _, start, end) =>
            Interlocked.Add(ref CpuBackend<T>.Span(s.correct)[0], CountCorrect(s.logits, s.labels, start, end)));
    }

    /// <summary>Counts rows in [start, end) whose label is the argmax. Rows of a couple of vectors or more skip
    /// the argmax: label l with logit v wins exactly when every earlier logit is &lt; v and every later one is
    /// ≤ v (comparisons with NaN are false, so a NaN anywhere makes a number lose), or, when v is NaN, when no
    /// earlier logit is NaN. Narrower rows are cheaper with the scalar argmax.</summary>
    private static int CountCorrect(Tensor<T> logits, Tensor<int> labels, int start, int end)
    {
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(logits);
        ReadOnlySpan<int> targets = CpuBackend<T>.Span(labels);
        int classes = logits.Shape[1];
        int count = 0;
        if (classes < 2 * Vector<T>.Count)
        {
            for (int n = start; n < end; n++)
                if (ArgMax(xs.Slice(n * classes, classes)) == targets[n]) count++;
            return count;
        }
        for (int n = start; n < end; n++)
        {
            ReadOnlySpan<T> row = xs.Slice(n * classes, classes);
            int label = targets[n];
            T v = row[label];
            bool wins = T.IsNaN(v)
                ? !HasNaN(row[..label])
                : AllLess(row[..label], v) && AllLessOrEqual(row[(label + 1)..], v);
            if (wins) count++;
        }
        return count;
    }

    private static bool AllLess(ReadOnlySpan<T> s, T bound)
    {
        var vs = MemoryMarshal.Cast<T, Vector<T>>(s);
        var bounds = new Vector<T>(bound);
        foreach (var v in vs)
            if (!Vector.LessThanAll(v, bounds)) return false;
        for (int i = vs.Length * Vector<T>.Count; i < s.Length; i++)
            if (!(s[i] < bound)) return false;
        return true;
    }

    private static bool AllLessOrEqual(ReadOnlySpan<T> s, T bound)
    {
        var vs = MemoryMarshal.Cast<T, Vector<T>>(s);
        var bounds = new Vector<T>(bound);
        foreach (var v in vs)
            if (!Vector.LessThanOrEqualAll(v, bounds)) return false;
        for (int i = vs.Length * Vector<T>.Count; i < s.Length; i++)
            if (!(s[i] <= bound)) return false;
        return true;
    }

    private static bool HasNaN(ReadOnlySpan<T> s)
    {
        var vs = MemoryMarshal.Cast<T, Vector<T>>(s);
        foreach (var v in vs)
            if (!Vector.EqualsAll(v, v)) return true;
        for (int i = vs.Length * Vector<T>.Count; i < s.Length; i++)
            if (T.IsNaN(s[i])) return true;
        return false;
    }

    /// <summary>Checks every label before counting, so a bad call leaves correct untouched.</summary>
    private static void ThrowIfOutOfRange(Tensor<int> labels, int classes)
    {
        ReadOnlySpan<int> values = CpuBackend<T>.Span(labels);
        for (int n = 0; n < values.Length; n++)
        {
            if ((uint)values[n] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), values[n],
                    $"ArgMaxCountCorrect: argument 'labels' holds {values[n]} at position {n}, outside the classes [0, {classes}) of 'logits'.");
        }
    }
}
