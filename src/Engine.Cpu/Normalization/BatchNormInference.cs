using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CudaNet.Cpu.Dense;

namespace CudaNet.Cpu;

/// <summary>
/// Batch-norm inference, and the normalising pass shared with training. x (N,F), y (N,F); gamma, beta, mean and
/// variance (F): y = act((x - mean)·(γ/√(var + eps)) + β), act Identity or ReLU (the ReLU operator of
/// <see cref="ReLUFunction{T}"/>, so a fused ReLU gives the bits of a separate one). Napkin math: x read and y written once, 2·N·F·sizeof(T) bytes.
/// </summary>
internal static class BatchNormInference<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Columns whose scales (invstd·γ) live on the stack; wider rows rent them from the pool.</summary>
    private const int StackColumns = 1024;

    /// <summary>The reference: plain scalar loops.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, Tensor<T> runningMean,
        Tensor<T> runningVar, T eps, bool relu)
    {
        var ys = CpuBackend<T>.Span(y);
        var xs = CpuBackend<T>.Span(x);
        var gammas = CpuBackend<T>.Span(gamma);
        var betas = CpuBackend<T>.Span(beta);
        var means = CpuBackend<T>.Span(runningMean);
        var variances = CpuBackend<T>.Span(runningVar);
        int rows = x.Shape[0], features = x.Shape[1];
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                int i = r * features + f;
                T invStd = NormStatistics<T>.InvStd(variances[f], T.One, eps);
                T z = (xs[i] - means[f]) * (invStd * gammas[f]) + betas[f];
                ys[i] = relu ? new ReLUFunction<T>().Forward(z) : z;
            }
    }

    /// <summary>SIMD: vectorised along rows, parallel over row blocks; a large y is written with streaming stores.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta,
        Tensor<T> runningMean, Tensor<T> runningVar, T eps, bool relu)
    {
        bool streaming = StreamingStore.Worthwhile(y);
        backend.ParallelFor(x.Shape[0], NormStatistics<T>.RowGrain(x.Shape[1]), (y, x, runningMean, runningVar, gamma, beta, streaming, relu, eps),
            static (s, _, start, end) => NormalizeRows(s.y, s.x, s.runningMean, s.runningVar, s.gamma, s.beta, start, end, s.streaming,
                s.relu, s.eps));
    }

    /// <summary>
    /// y = (x - mean)·(invstd·γ) + β for rows [start, end), vectorised along each row. With <paramref name="eps"/>
    /// the <paramref name="spread"/> tensor holds variances (invstd = 1/√(var + eps)); without, inverse std devs.
    /// The per-column scales are computed once for the whole row width, so x and y stream row after row
    /// (<paramref name="streaming"/>: y through <see cref="StreamingStore"/>); <paramref name="relu"/> applies the
    /// ReLU operator to each result.
    /// </summary>
    public static void NormalizeRows(Tensor<T> y, Tensor<T> x, Tensor<T> mean, Tensor<T> spread, Tensor<T> gamma,
        Tensor<T> beta, int start, int end, bool streaming, bool relu, T? eps = null)
    {
        // One specialised loop per activation: the JIT folds the identity away, so plain batch norm keeps its speed.
        if (relu) NormalizeRows(new ReLUFunction<T>(), y, x, mean, spread, gamma, beta, start, end, streaming, eps);
        else NormalizeRows(new IdentityFunction<T>(), y, x, mean, spread, gamma, beta, start, end, streaming, eps);
    }

    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower), and not
    // inlined into its tier-1 caller, where it would be compiled again under that method's register pressure.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void NormalizeRows<TFunction>(TFunction function, Tensor<T> y, Tensor<T> x, Tensor<T> mean,
        Tensor<T> spread, Tensor<T> gamma, Tensor<T> beta, int start, int end, bool streaming, T? eps)
        where TFunction : struct, IActivationFunction<T>
    {
        var ys = CpuBackend<T>.Span(y);
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(mean);
        var spreads = CpuBackend<T>.Span(spread);
        var gammas = CpuBackend<T>.Span(gamma);
        var betas = CpuBackend<T>.Span(beta);
        int features = x.Shape[1], width = Vector<T>.Count;
        T[]? rented = features > StackColumns ? ArrayPool<T>.Shared.Rent(features) : null;
        Span<T> scales = rented is null ? stackalloc T[StackColumns] : rented;
        for (int f = 0; f < features; f++)
        {
            T invStd = eps is { } e ? NormStatistics<T>.InvStd(spreads[f], T.One, e) : spreads[f];
            scales[f] = invStd * gammas[f];
        }
        ref T meanStart = ref MemoryMarshal.GetReference(means);
        ref T betaStart = ref MemoryMarshal.GetReference(betas);
        ref T scaleStart = ref MemoryMarshal.GetReference(scales);
        for (int r = start; r < end; r++)
        {
            var xRow = xs.Slice(r * features, features);
            var yRow = ys.Slice(r * features, features);
            ref T xStart = ref MemoryMarshal.GetReference(xRow);
            ref T yStart = ref MemoryMarshal.GetReference(yRow);
            int i;
            for (i = 0; i <= features - width; i += width)
            {
                var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                var z = centered * Vector.LoadUnsafe(ref scaleStart, (nuint)i) + Vector.LoadUnsafe(ref betaStart, (nuint)i);
                StreamingStore.Store(function.Forward(z), ref yStart, (nuint)i, streaming);
            }
            for (; i < features; i++)
                yRow[i] = function.Forward((xRow[i] - means[i]) * scales[i] + betas[i]);
        }
        StreamingStore.Fence(streaming);
        if (rented is not null) ArrayPool<T>.Shared.Return(rented);
    }
}
