using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Binary cross-entropy on logits (<c>F.binary_cross_entropy_with_logits</c>, reduction 'mean'), targets t in
/// [0, 1] (soft targets allowed): with e = e^-|x|, which never overflows,
///   loss = Σ [max(x,0) - x·t + log1p(e)] / n,  dLogits = (σ(x) - t)/n,
/// σ(x) = 1 - w for x ≥ 0 and w for x &lt; 0, w = e/(1+e). The gradient is formed as (1 - t) - w or w - t, so a
/// confident prediction of a hard target keeps its tiny gradient instead of cancelling to 0 (PyTorch forms
/// σ(x) - t and loses those digits; it agrees wherever no such cancellation happens).
/// </summary>
internal static class BinaryCrossEntropyWithLogitsKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one plain loop. Each term is formed in T; their sum accumulates in float64, because
    /// a float32 sum over millions of elements would lose digits of the scalar loss.</summary>
    public static void Reference(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<T> target)
    {
        ReadOnlySpan<T> x = CpuBackend<T>.Span(logits), t = CpuBackend<T>.Span(target);
        Span<T> dx = dLogits is null ? default : CpuBackend<T>.Span(dLogits);
        T count = T.CreateChecked(x.Length);
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            T e = T.Exp(-T.Abs(x[i]));
            total += double.CreateTruncating(T.Max(x[i], T.Zero) - x[i] * t[i] + LossMath.Log1p(e));
            if (dx.IsEmpty) continue;
            T w = e / (T.One + e);
            T sigmoidMinusTarget = x[i] >= T.Zero ? (T.One - t[i]) - w : w - t[i];
            dx[i] = sigmoidMinusTarget / count;
        }
        CpuBackend<T>.Span(loss)[0] = T.CreateTruncating(total / x.Length);
    }

    /// <summary>SIMD: fixed blocks of <see cref="LossMath.BlockElements"/> in parallel, each summed by a vector
    /// accumulator folded into float64 every <see cref="LossMath.SubBlockElements"/>; blocks added in order.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits,
        Tensor<T> target)
    {
        int length = logits.Length;
        int blocks = (length + LossMath.BlockElements - 1) / LossMath.BlockElements;
        T inverseCount = T.One / T.CreateChecked(length);
        double total = LossMath.SumBlocks(backend, blocks, (logits, target, dLogits, length, inverseCount), static (s, block) =>
        {
            var (logits, target, dLogits, length, inverseCount) = s;
            int start = block * LossMath.BlockElements, end = Math.Min(length, start + LossMath.BlockElements);
            ReadOnlySpan<T> x = CpuBackend<T>.Span(logits)[start..end], t = CpuBackend<T>.Span(target)[start..end];
            Span<T> dx = dLogits is null ? default : CpuBackend<T>.Span(dLogits)[start..end];
            return Block(x, t, dx, inverseCount);
        });
        CpuBackend<T>.Span(loss)[0] = T.CreateTruncating(total / length);
    }

    private static double Block(ReadOnlySpan<T> x, ReadOnlySpan<T> t, Span<T> dx, T inverseCount)
    {
        int width = Vector<T>.Count;
        bool gradient = !dx.IsEmpty;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T tr = ref MemoryMarshal.GetReference(t);
        ref T dr = ref MemoryMarshal.GetReference(dx);
        var countScale = new Vector<T>(inverseCount);
        double sum = 0;
        for (int start = 0; start < x.Length; start += LossMath.SubBlockElements)
        {
            int end = Math.Min(x.Length, start + LossMath.SubBlockElements), i = start;
            Vector<T> terms = Vector<T>.Zero;
            for (; i <= end - width; i += width)
            {
                Vector<T> logit = Vector.LoadUnsafe(ref xr, (nuint)i), label = Vector.LoadUnsafe(ref tr, (nuint)i);
                Vector<T> e = LossMath.ExpOfNonPositive(-Vector.Abs(logit));
                terms += Vector.Max(logit, Vector<T>.Zero) - logit * label + LossMath.Log1p(e);
                if (!gradient) continue;
                Vector<T> w = e / (Vector<T>.One + e);
                Vector<T> sigmoidMinusTarget = Vector.ConditionalSelect(
                    Vector.GreaterThanOrEqual(logit, Vector<T>.Zero), Vector<T>.One - label - w, w - label);
                (sigmoidMinusTarget * countScale).StoreUnsafe(ref dr, (nuint)i);
            }
            T part = Vector.Sum(terms);
            for (; i < end; i++)
            {
                T e = T.Exp(-T.Abs(x[i]));
                part += T.Max(x[i], T.Zero) - x[i] * t[i] + LossMath.Log1p(e);
                if (!gradient) continue;
                T w = e / (T.One + e);
                dx[i] = (x[i] >= T.Zero ? (T.One - t[i]) - w : w - t[i]) * inverseCount;
            }
            sum += double.CreateTruncating(part);
        }
        return sum;
    }
}
