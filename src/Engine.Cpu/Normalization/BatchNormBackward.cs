using System.Numerics;
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
    /// <summary>Columns whose coefficients live on the stack at once.</summary>
    private const int TileColumns = 256;

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
    /// SIMD: the column sums are vectorised across features (each row adds a vector of adjacent columns) and
    /// parallel over column blocks, summing each column in row order; dx is vectorised along rows and parallel
    /// over row blocks. Results do not depend on the thread count.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd)
    {
        int rows = x.Shape[0], features = x.Shape[1];
        backend.ParallelFor(features, NormStatistics<T>.ColumnGrain(rows), (start, end) =>
            ColumnSums(dGamma, dBeta, dy, x, savedMean, savedInvStd, start, end - start));
        backend.ParallelFor(rows, NormStatistics<T>.RowGrain(features), (start, end) =>
            InputGradientRows(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, start, end));
    }

    /// <summary>dβ = Σ dy and dγ = invstd·Σ dy·(x - μ) for columns [first, first + count).</summary>
    private static void ColumnSums(Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x, Tensor<T> savedMean,
        Tensor<T> savedInvStd, int first, int count)
    {
        var dys = CpuBackend<T>.Span(dy);
        var xs = CpuBackend<T>.Span(x);
        var sumDy = CpuBackend<T>.Span(dBeta).Slice(first, count);
        var sumDyCentered = CpuBackend<T>.Span(dGamma).Slice(first, count);
        var means = CpuBackend<T>.Span(savedMean).Slice(first, count);
        var invStds = CpuBackend<T>.Span(savedInvStd).Slice(first, count);
        int rows = x.Shape[0], features = x.Shape[1], width = Vector<T>.Count;
        ref T meanStart = ref MemoryMarshal.GetReference(means);
        ref T sumDyStart = ref MemoryMarshal.GetReference(sumDy);
        ref T sumDyCenteredStart = ref MemoryMarshal.GetReference(sumDyCentered);
        sumDy.Clear();
        sumDyCentered.Clear();
        for (int r = 0; r < rows; r++)
        {
            var dyRow = dys.Slice(r * features + first, count);
            var xRow = xs.Slice(r * features + first, count);
            ref T dyStart = ref MemoryMarshal.GetReference(dyRow);
            ref T xStart = ref MemoryMarshal.GetReference(xRow);
            int i;
            for (i = 0; i <= count - width; i += width)
            {
                var g = Vector.LoadUnsafe(ref dyStart, (nuint)i);
                var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                (Vector.LoadUnsafe(ref sumDyStart, (nuint)i) + g).StoreUnsafe(ref sumDyStart, (nuint)i);
                (Vector.LoadUnsafe(ref sumDyCenteredStart, (nuint)i) + g * centered).StoreUnsafe(ref sumDyCenteredStart, (nuint)i);
            }
            for (; i < count; i++)
            {
                sumDy[i] += dyRow[i];
                sumDyCentered[i] += dyRow[i] * (xRow[i] - means[i]);
            }
        }
        for (int f = 0; f < count; f++) sumDyCentered[f] *= invStds[f];
    }

    /// <summary>dx for rows [start, end): per column coefficients on the stack, then one vector pass per row.</summary>
    private static void InputGradientRows(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int start, int end)
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
        int tile = Math.Min(TileColumns, features);
        Span<T> coefficients = stackalloc T[tile], centeredScales = stackalloc T[tile];
        for (int first = 0; first < features; first += TileColumns)
        {
            int count = Math.Min(TileColumns, features - first);
            for (int f = 0; f < count; f++)
            {
                coefficients[f] = gammas[first + f] * invStds[first + f] / n;
                centeredScales[f] = invStds[first + f] * dGammas[first + f];
            }
            ref T meanStart = ref MemoryMarshal.GetReference(means.Slice(first));
            ref T dBetaStart = ref MemoryMarshal.GetReference(dBetas.Slice(first));
            ref T coefficientStart = ref MemoryMarshal.GetReference(coefficients);
            ref T centeredScaleStart = ref MemoryMarshal.GetReference(centeredScales);
            for (int r = start; r < end; r++)
            {
                int offset = r * features + first;
                var dxRow = dxs.Slice(offset, count);
                var dyRow = dys.Slice(offset, count);
                var xRow = xs.Slice(offset, count);
                ref T dxStart = ref MemoryMarshal.GetReference(dxRow);
                ref T dyStart = ref MemoryMarshal.GetReference(dyRow);
                ref T xStart = ref MemoryMarshal.GetReference(xRow);
                int i;
                for (i = 0; i <= count - width; i += width)
                {
                    var centered = Vector.LoadUnsafe(ref xStart, (nuint)i) - Vector.LoadUnsafe(ref meanStart, (nuint)i);
                    var inner = nVector * Vector.LoadUnsafe(ref dyStart, (nuint)i) - Vector.LoadUnsafe(ref dBetaStart, (nuint)i)
                                - centered * Vector.LoadUnsafe(ref centeredScaleStart, (nuint)i);
                    (Vector.LoadUnsafe(ref coefficientStart, (nuint)i) * inner).StoreUnsafe(ref dxStart, (nuint)i);
                }
                for (; i < count; i++)
                    dxRow[i] = coefficients[i] * (n * dyRow[i] - dBetas[first + i] - (xRow[i] - means[first + i]) * centeredScales[i]);
            }
        }
    }
}
