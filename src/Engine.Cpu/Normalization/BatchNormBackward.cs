using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Fused batch-norm backward from the saved statistics. dy, x, dx (N,F); gamma, savedMean, savedInvStd, dGamma,
/// dBeta (F). With x̂ = (x - μ)·invstd: dβ = Σ_rows dy, dγ = Σ_rows dy·x̂ (both overwritten), and
/// dx = (γ·invstd/N)·(N·dy - dβ - x̂·dγ). Napkin math: dy and x read twice (reductions, then dx) and dx written
/// once, 5·N·F·sizeof(T) bytes.
/// </summary>
internal static class BatchNormBackward<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Most chunks of rows (partials of 2·F sums each) the column sums are split into.</summary>
    private const int MaxSumChunks = 16;

    /// <summary>The reference: plain scalar loops, sums accumulated in T.</summary>
    public static void Reference(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd)
    {
        var dxs = CpuBackend<T>.Span(dx);
        var dys = CpuBackend<T>.Span(dy);
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
                sumDy += dys[i];
                sumDyCentered += dys[i] * (xs[i] - means[f]);
            }
            dBetas[f] = sumDy;
            dGammas[f] = sumDyCentered * invStds[f];
        }
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                int i = r * features + f;
                T coefficient = gammas[f] * invStds[f] / n, centeredScale = invStds[f] * dGammas[f];
                dxs[i] = coefficient * (n * dys[i] - dBetas[f] - (xs[i] - means[f]) * centeredScale);
            }
    }

    /// <summary>
    /// SIMD: the column sums read dy and x once, row after row (vectorised across features), with one partial per
    /// chunk of rows (at most <see cref="MaxSumChunks"/>) added in chunk order; dx is vectorised along rows and
    /// parallel over row blocks. Results do not depend on the thread count.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd)
    {
        int rows = x.Shape[0], features = x.Shape[1];
        int grain = Math.Max(NormStatistics<T>.RowGrain(features), (rows + MaxSumChunks - 1) / MaxSumChunks);
        int chunks = CpuBackend<T>.ChunkCount(rows, grain);
        var partials = ArrayPool<T>.Shared.Rent(2 * chunks * features);
        try
        {
            backend.ParallelFor(rows, grain, (dy, x, savedMean, partials), static (state, chunk, start, end) =>
            {
                var (dy, x, savedMean, partials) = state;
                int features = x.Shape[1];
                ColumnSums(dy, x, savedMean, partials.AsSpan(2 * chunk * features, features),
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
        backend.ParallelFor(rows, NormStatistics<T>.RowGrain(features), (dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, streaming),
            static (s, _, start, end) => InputGradientRows(s.dx, s.dGamma, s.dBeta, s.dy, s.x, s.gamma, s.savedMean, s.savedInvStd,
                start, end, s.streaming));
    }

    /// <summary>sumDy = Σ dy and sumDyCentered = Σ dy·(x - μ) over rows [start, end), every column.</summary>
    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower), and not
    // inlined into its tier-1 caller, where it would be compiled again under that method's register pressure.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void ColumnSums(Tensor<T> dy, Tensor<T> x, Tensor<T> savedMean, Span<T> sumDy, Span<T> sumDyCentered,
        int start, int end)
    {
        var dys = CpuBackend<T>.Span(dy);
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
            var xRow = xs.Slice(r * features, features);
            ref T dyStart = ref MemoryMarshal.GetReference(dyRow);
            ref T xStart = ref MemoryMarshal.GetReference(xRow);
            int i;
            for (i = 0; i <= features - width; i += width)
            {
                var g = Vector.LoadUnsafe(ref dyStart, (nuint)i);
                var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                (Vector.LoadUnsafe(ref sumDyStart, (nuint)i) + g).StoreUnsafe(ref sumDyStart, (nuint)i);
                (Vector.LoadUnsafe(ref sumDyCenteredStart, (nuint)i) + g * centered).StoreUnsafe(ref sumDyCenteredStart, (nuint)i);
            }
            for (; i < features; i++)
            {
                sumDy[i] += dyRow[i];
                sumDyCentered[i] += dyRow[i] * (xRow[i] - means[i]);
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
    private static void InputGradientRows(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int start, int end, bool streaming)
    {
        var dxs = CpuBackend<T>.Span(dx);
        var dys = CpuBackend<T>.Span(dy);
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
            var xRow = xs.Slice(r * features, features);
            ref T dxStart = ref MemoryMarshal.GetReference(dxRow);
            ref T dyStart = ref MemoryMarshal.GetReference(dyRow);
            ref T xStart = ref MemoryMarshal.GetReference(xRow);
            int i;
            for (i = 0; i <= features - width; i += width)
            {
                var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                var inner = nVector * Vector.LoadUnsafe(ref dyStart, (nuint)i) - Vector.LoadUnsafe(ref dBetaStart, (nuint)i)
                            - centered * Vector.LoadUnsafe(ref centeredScaleStart, (nuint)i);
                StreamingStore.Store(Vector.LoadUnsafe(ref coefficientStart, (nuint)i) * inner, ref dxStart, (nuint)i, streaming);
            }
            for (; i < features; i++)
                dxRow[i] = coefficients[i] * (n * dyRow[i] - dBetas[i] - (xRow[i] - means[i]) * centeredScales[i]);
        }
        StreamingStore.Fence(streaming);
        ArrayPool<T>.Shared.Return(rented);
    }
}
