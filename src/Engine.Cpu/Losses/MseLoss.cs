using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Mean squared error (<c>F.mse_loss</c>, reduction 'mean'): p, t of any shape with n elements;
/// loss = Σ (p - t)² / n, dPrediction = 2(p - t)/n.
/// </summary>
internal static class MseLossKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one plain loop. Each squared difference is formed in T; their sum accumulates in
    /// float64, because a float32 sum over millions of elements would lose digits of the scalar loss.</summary>
    public static void Reference(Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction, Tensor<T> target)
    {
        ReadOnlySpan<T> p = CpuBackend<T>.Span(prediction), t = CpuBackend<T>.Span(target);
        Span<T> dp = dPrediction is null ? default : CpuBackend<T>.Span(dPrediction);
        T count = T.CreateChecked(p.Length), two = T.CreateChecked(2);
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            T difference = p[i] - t[i];
            total += double.CreateTruncating(difference * difference);
            if (!dp.IsEmpty) dp[i] = two * difference / count;
        }
        CpuBackend<T>.Span(loss)[0] = T.CreateTruncating(total / p.Length);
    }

    /// <summary>SIMD: fixed blocks of <see cref="LossMath.BlockElements"/> in parallel, each summed by a vector
    /// accumulator folded into float64 every <see cref="LossMath.SubBlockElements"/>; blocks added in order.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction,
        Tensor<T> target)
    {
        int length = prediction.Length;
        int blocks = (length + LossMath.BlockElements - 1) / LossMath.BlockElements;
        T scale = T.CreateTruncating(2.0 / length);
        double total = LossMath.SumBlocks(backend, blocks, (prediction, target, dPrediction, length, scale), static (s, block) =>
        {
            var (prediction, target, dPrediction, length, scale) = s;
            int start = block * LossMath.BlockElements, end = Math.Min(length, start + LossMath.BlockElements);
            ReadOnlySpan<T> p = CpuBackend<T>.Span(prediction)[start..end], t = CpuBackend<T>.Span(target)[start..end];
            Span<T> dp = dPrediction is null ? default : CpuBackend<T>.Span(dPrediction)[start..end];
            return Block(p, t, dp, scale);
        });
        CpuBackend<T>.Span(loss)[0] = T.CreateTruncating(total / length);
    }

    private static double Block(ReadOnlySpan<T> p, ReadOnlySpan<T> t, Span<T> dp, T scale)
    {
        int width = Vector<T>.Count;
        bool gradient = !dp.IsEmpty;
        ref T pr = ref MemoryMarshal.GetReference(p);
        ref T tr = ref MemoryMarshal.GetReference(t);
        ref T dr = ref MemoryMarshal.GetReference(dp);
        var scaleVector = new Vector<T>(scale);
        double sum = 0;
        for (int start = 0; start < p.Length; start += LossMath.SubBlockElements)
        {
            int end = Math.Min(p.Length, start + LossMath.SubBlockElements), i = start;
            Vector<T> squares = Vector<T>.Zero;
            for (; i <= end - width; i += width)
            {
                Vector<T> difference = Vector.LoadUnsafe(ref pr, (nuint)i) - Vector.LoadUnsafe(ref tr, (nuint)i);
                squares += difference * difference;
                if (gradient) (difference * scaleVector).StoreUnsafe(ref dr, (nuint)i);
            }
            T part = Vector.Sum(squares);
            for (; i < end; i++)
            {
                T difference = p[i] - t[i];
                part += difference * difference;
                if (gradient) dp[i] = difference * scale;
            }
            sum += double.CreateTruncating(part);
        }
        return sum;
    }
}
