using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CudaNet.Cpu.Dense;

namespace CudaNet.Cpu;

/// <summary>
/// Fused batch-norm backward from the saved statistics. dy, x, dx (N,F); gamma, savedMean, savedInvStd, dGamma,
/// dBeta (F). With x̂ = (x - μ)·invstd: dβ = Σ_rows dy, dγ = Σ_rows dy·x̂ (both overwritten), and
/// dx = (γ·invstd/N)·(N·dy - dβ - x̂·dγ). With a fused ReLU every dy above is first masked by the forward's output
/// y through the ReLU operator's backward, dz = (y ≤ 0 ? 0 : dy): since y = max(z, 0) is ≤ 0 exactly where z is
/// (and NaN exactly where z is), that is the separate ReLU backward bit for bit. Napkin math: dy and x read twice
/// (reductions, then dx) and dx written once, 5·N·F·sizeof(T) bytes (7·N·F with the mask's y).
/// </summary>
internal static class BatchNormBackward<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Most chunks of rows (partials of 2·F sums each) the column sums are split into.</summary>
    private const int MaxSumChunks = 16;

    /// <summary>The reference: plain scalar loops, sums accumulated in T.</summary>
    public static void Reference(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T>? reluOutput)
    {
        var dxs = CpuBackend<T>.Span(dx);
        var dys = CpuBackend<T>.Span(dy);
        var outputs = reluOutput is null ? default : CpuBackend<T>.Span(reluOutput);
        var xs = CpuBackend<T>.Span(x);
        var dGammas = CpuBackend<T>.Span(dGamma);
        var dBetas = CpuBackend<T>.Span(dBeta);
        var gammas = CpuBackend<T>.Span(gamma);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1];
        T n = T.CreateTruncating(rows);
        for (int f = 0; f < features; f++)
        {
            T sumDy = T.Zero, sumDyCentered = T.Zero;
            for (int r = 0; r < rows; r++)
            {
                int i = r * features + f;
                T g = reluOutput is null ? dys[i] : new ReLUFunction<T>().Backward(dys[i], outputs[i], outputs[i]);
                sumDy += g;
                sumDyCentered += g * (xs[i] - means[f]);
            }
            dBetas[f] = sumDy;
            dGammas[f] = sumDyCentered * invStds[f];
        }
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                int i = r * features + f;
                T coefficient = gammas[f] * invStds[f] / n, centeredScale = invStds[f] * dGammas[f];
                T g = reluOutput is null ? dys[i] : new ReLUFunction<T>().Backward(dys[i], outputs[i], outputs[i]);
                dxs[i] = coefficient * (n * g - dBetas[f] - (xs[i] - means[f]) * centeredScale);
            }
    }

    /// <summary>
    /// SIMD: the column sums read dy and x once, row after row (vectorised across features), with one partial per
    /// chunk of rows (at most <see cref="MaxSumChunks"/>) added in chunk order; dx is vectorised along rows and
    /// parallel over row blocks. Results do not depend on the thread count.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T>? reluOutput)
    {
        // One specialised loop pair per mask: the JIT folds the identity away, so plain batch norm keeps its speed.
        if (reluOutput is null) Simd(new IdentityFunction<T>(), backend, dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, dy);
        else Simd(new ReLUFunction<T>(), backend, dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, reluOutput);
    }

    /// <summary><see cref="Simd(CpuBackend{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T}, Tensor{T})"/>
    /// with dy masked by <paramref name="mask"/>'s backward given y = <paramref name="output"/> (dy itself, unread, for
    /// the identity).</summary>
    private static void Simd<TMask>(TMask mask, CpuBackend<T> backend, Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta,
        Tensor<T> dy, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> output)
        where TMask : struct, IActivationFunction<T>
    {
        int rows = x.Shape[0], features = x.Shape[1];
        int grain = Math.Max(NormStatistics<T>.RowGrain(features), (rows + MaxSumChunks - 1) / MaxSumChunks);
        int chunks = CpuBackend<T>.ChunkCount(rows, grain);
        var partials = ArrayPool<T>.Shared.Rent(2 * chunks * features);
        try
        {
            backend.ParallelFor(rows, grain, (mask, dy, output, x, savedMean, partials), static (state, chunk, start, end) =>
            {
                var (mask, dy, output, x, savedMean, partials) = state;
                int features = x.Shape[1];
                ColumnSums(mask, dy, output, x, savedMean, partials.AsSpan(2 * chunk * features, features),
                    partials.AsSpan((2 * chunk + 1) * features, features), start, end);
            });
            var sumDy = CpuBackend<T>.Span(dBeta);
            var sumDyCentered = CpuBackend<T>.Span(dGamma);
            partials.AsSpan(0, features).CopyTo(sumDy);
            partials.AsSpan(features, features).CopyTo(sumDyCentered);
            for (int chunk = 1; chunk < chunks; chunk++)
            {
                AddTo(sumDy, partials.AsSpan(2 * chunk * features, features));
                AddTo(sumDyCentered, partials.AsSpan((2 * chunk + 1) * features, features));
            }
            var invStds = CpuBackend<T>.Span(savedInvStd);
            for (int f = 0; f < features; f++) sumDyCentered[f] *= invStds[f];
        }
        finally
        {
            ArrayPool<T>.Shared.Return(partials);
        }
        bool streaming = StreamingStore.Worthwhile(dx);
        backend.ParallelFor(rows, NormStatistics<T>.RowGrain(features),
            (mask, dx, dGamma, dBeta, dy, output, x, gamma, savedMean, savedInvStd, streaming),
            static (s, _, start, end) => InputGradientRows(s.mask, s.dx, s.dGamma, s.dBeta, s.dy, s.output, s.x, s.gamma,
                s.savedMean, s.savedInvStd, start, end, s.streaming));
    }

    /// <summary>sumDy = Σ dz and sumDyCentered = Σ dz·(x - μ) over rows [start, end), every column, dz being dy
    /// masked by <paramref name="mask"/>.</summary>
    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower), and not
    // inlined into its tier-1 caller, where it would be compiled again under that method's register pressure.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void ColumnSums<TMask>(TMask mask, Tensor<T> dy, Tensor<T> output, Tensor<T> x, Tensor<T> savedMean,
        Span<T> sumDy, Span<T> sumDyCentered, int start, int end) where TMask : struct, IActivationFunction<T>
    {
        var dys = CpuBackend<T>.Span(dy);
        var outputs = CpuBackend<T>.Span(output);
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(savedMean);
        int features = x.Shape[1], width = Vector<T>.Count;
        ref T meanStart = ref MemoryMarshal.GetReference(means);
        ref T sumDyStart = ref MemoryMarshal.GetReference(sumDy);
        ref T sumDyCenteredStart = ref MemoryMarshal.GetReference(sumDyCentered);
        sumDy.Clear();
        sumDyCentered.Clear();
        for (int r = start; r < end; r++)
        {
            var dyRow = dys.Slice(r * features, features);
            var outputRow = outputs.Slice(r * features, features);
            var xRow = xs.Slice(r * features, features);
            ref T dyStart = ref MemoryMarshal.GetReference(dyRow);
            ref T outputStart = ref MemoryMarshal.GetReference(outputRow);
            ref T xStart = ref MemoryMarshal.GetReference(xRow);
            int i;
            for (i = 0; i <= features - width; i += width)
            {
                var y = Vector.LoadUnsafe(ref outputStart, (nuint)i);
                var g = mask.Backward(Vector.LoadUnsafe(ref dyStart, (nuint)i), y, y);
                var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                (Vector.LoadUnsafe(ref sumDyStart, (nuint)i) + g).StoreUnsafe(ref sumDyStart, (nuint)i);
                (Vector.LoadUnsafe(ref sumDyCenteredStart, (nuint)i) + g * centered).StoreUnsafe(ref sumDyCenteredStart, (nuint)i);
            }
            for (; i < features; i++)
            {
                T g = mask.Backward(dyRow[i], outputRow[i], outputRow[i]);
                sumDy[i] += g;
                sumDyCentered[i] += g * (xRow[i] - means[i]);
            }
        }
    }

    private static void AddTo(Span<T> sums, ReadOnlySpan<T> values)
    {
        int width = Vector<T>.Count, i;
        ref T sumStart = ref MemoryMarshal.GetReference(sums);
        ref T valueStart = ref MemoryMarshal.GetReference(values);
        for (i = 0; i <= sums.Length - width; i += width)
            (Vector.LoadUnsafe(ref sumStart, (nuint)i) + Vector.LoadUnsafe(ref valueStart, (nuint)i)).StoreUnsafe(ref sumStart, (nuint)i);
        for (; i < sums.Length; i++) sums[i] += values[i];
    }

    /// <summary>dx for rows [start, end): per column coefficients for the whole width, then one vector pass per row
    /// (<paramref name="streaming"/>: dx through <see cref="StreamingStore"/>).</summary>
    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower), and not
    // inlined into its tier-1 caller, where it would be compiled again under that method's register pressure.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void InputGradientRows<TMask>(TMask mask, Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> output, Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int start, int end,
        bool streaming) where TMask : struct, IActivationFunction<T>
    {
        var dxs = CpuBackend<T>.Span(dx);
        var dys = CpuBackend<T>.Span(dy);
        var outputs = CpuBackend<T>.Span(output);
        var xs = CpuBackend<T>.Span(x);
        var dGammas = CpuBackend<T>.Span(dGamma);
        var dBetas = CpuBackend<T>.Span(dBeta);
        var gammas = CpuBackend<T>.Span(gamma);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1], width = Vector<T>.Count;
        T n = T.CreateTruncating(rows);
        var nVector = new Vector<T>(n);
        var rented = ArrayPool<T>.Shared.Rent(2 * features);
        var coefficients = rented.AsSpan(0, features);
        var centeredScales = rented.AsSpan(features, features);
        for (int f = 0; f < features; f++)
        {
            coefficients[f] = gammas[f] * invStds[f] / n;
            centeredScales[f] = invStds[f] * dGammas[f];
        }
        ref T meanStart = ref MemoryMarshal.GetReference(means);
        ref T dBetaStart = ref MemoryMarshal.GetReference(dBetas);
        ref T coefficientStart = ref MemoryMarshal.GetReference(coefficients);
        ref T centeredScaleStart = ref MemoryMarshal.GetReference(centeredScales);
        for (int r = start; r < end; r++)
        {
            var dxRow = dxs.Slice(r * features, features);
            var dyRow = dys.Slice(r * features, features);
            var outputRow = outputs.Slice(r * features, features);
            var xRow = xs.Slice(r * features, features);
            ref T dxStart = ref MemoryMarshal.GetReference(dxRow);
            ref T dyStart = ref MemoryMarshal.GetReference(dyRow);
            ref T outputStart = ref MemoryMarshal.GetReference(outputRow);
            ref T xStart = ref MemoryMarshal.GetReference(xRow);
            int i;
            for (i = 0; i <= features - width; i += width)
            {
                var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                var y = Vector.LoadUnsafe(ref outputStart, (nuint)i);
                var g = mask.Backward(Vector.LoadUnsafe(ref dyStart, (nuint)i), y, y);
                var inner = nVector * g - Vector.LoadUnsafe(ref dBetaStart, (nuint)i)
                            - centered * Vector.LoadUnsafe(ref centeredScaleStart, (nuint)i);
                StreamingStore.Store(Vector.LoadUnsafe(ref coefficientStart, (nuint)i) * inner, ref dxStart, (nuint)i, streaming);
            }
            for (; i < features; i++)
                dxRow[i] = coefficients[i] * (n * mask.Backward(dyRow[i], outputRow[i], outputRow[i]) - dBetas[i]
                                              - (xRow[i] - means[i]) * centeredScales[i]);
        }
        StreamingStore.Fence(streaming);
        ArrayPool<T>.Shared.Return(rented);
    }
}
