using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Group-norm backward, which is also layer-norm backward (one group). dy, x, dx (N,F); gamma, dGamma, dBeta (F);
/// savedMean, savedInvStd (N·G). Per group of S features with x̂ = (x-μ)·invstd and g = dy·γ:
/// dx = (invstd/S)·(S·g - Σg - x̂·Σ g·x̂) (PyTorch's formula); per feature dβ = Σ_rows dy, dγ = Σ_rows dy·x̂
/// (both overwritten; zero when N = 0). The parameter sums run first so that dx may share storage with dy.
/// Napkin math: dy and x read twice (parameter sums, then dx) and dx written once.
/// </summary>
internal static class GroupNormBackward<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: plain scalar loops, sums accumulated in T.</summary>
    public static void Reference(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups)
    {
        var dxs = CpuBackend<T>.Span(dx);
        var dys = CpuBackend<T>.Span(dy);
        var xs = CpuBackend<T>.Span(x);
        var dGammas = CpuBackend<T>.Span(dGamma);
        var dBetas = CpuBackend<T>.Span(dBeta);
        var gammas = CpuBackend<T>.Span(gamma);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1], size = features / groups;
        T n = T.CreateTruncating(size);
        dGammas.Clear();
        dBetas.Clear();
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                int i = r * features + f, s = r * groups + f / size;
                dBetas[f] += dys[i];
                dGammas[f] += dys[i] * ((xs[i] - means[s]) * invStds[s]);
            }
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < groups; g++)
            {
                int first = r * features + g * size, s = r * groups + g;
                T sumG = T.Zero, sumGCentered = T.Zero;
                for (int j = 0; j < size; j++)
                {
                    T scaled = dys[first + j] * gammas[g * size + j];
                    sumG += scaled;
                    sumGCentered += scaled * (xs[first + j] - means[s]);
                }
                T coefficient = invStds[s] / n, centeredScale = invStds[s] * (sumGCentered * invStds[s]);
                for (int j = 0; j < size; j++)
                {
                    T scaled = dys[first + j] * gammas[g * size + j];
                    dxs[first + j] = coefficient * (n * scaled - sumG - (xs[first + j] - means[s]) * centeredScale);
                }
            }
    }

    /// <summary>
    /// SIMD: dγ/dβ vectorised across features (each row adds a vector of adjacent columns of one group) and parallel
    /// over column blocks, each column summed in row order; dx vectorised along each group and parallel over row
    /// blocks. Results do not depend on the thread count.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups)
    {
        int rows = x.Shape[0], features = x.Shape[1];
        backend.ParallelFor(features, NormStatistics<T>.ColumnGrain(rows), (dGamma, dBeta, dy, x, savedMean, savedInvStd, groups),
            static (s, _, start, end) => ParameterSums(s.dGamma, s.dBeta, s.dy, s.x, s.savedMean, s.savedInvStd, s.groups, start, end));
        backend.ParallelFor(rows, NormStatistics<T>.RowGrain(features), (dx, dy, x, gamma, savedMean, savedInvStd, groups),
            static (s, _, start, end) => InputGradientRows(s.dx, s.dy, s.x, s.gamma, s.savedMean, s.savedInvStd, s.groups, start, end));
    }

    /// <summary>dβ = Σ dy and dγ = Σ dy·x̂ for columns [start, end).</summary>
    private static void ParameterSums(Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> savedMean, Tensor<T> savedInvStd, int groups, int start, int end)
    {
        var dys = CpuBackend<T>.Span(dy);
        var xs = CpuBackend<T>.Span(x);
        var dGammas = CpuBackend<T>.Span(dGamma);
        var dBetas = CpuBackend<T>.Span(dBeta);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1], size = features / groups, width = Vector<T>.Count;
        dGammas[start..end].Clear();
        dBetas[start..end].Clear();
        ref T dGammaStart = ref MemoryMarshal.GetReference(dGammas);
        ref T dBetaStart = ref MemoryMarshal.GetReference(dBetas);
        for (int r = 0; r < rows; r++)
        {
            ref T dyStart = ref MemoryMarshal.GetReference(dys.Slice(r * features));
            ref T xStart = ref MemoryMarshal.GetReference(xs.Slice(r * features));
            for (int g = start / size; g * size < end; g++)
            {
                T mean = means[r * groups + g], invStd = invStds[r * groups + g];
                var (meanVector, invStdVector) = (new Vector<T>(mean), new Vector<T>(invStd));
                int f = Math.Max(start, g * size), stop = Math.Min(end, (g + 1) * size);
                for (; f <= stop - width; f += width)
                {
                    var dyVector = Vector.LoadUnsafe(ref dyStart, (nuint)f);
                    var normalized = (Vector.LoadUnsafe(ref xStart, (nuint)f) - meanVector) * invStdVector;
                    (Vector.LoadUnsafe(ref dBetaStart, (nuint)f) + dyVector).StoreUnsafe(ref dBetaStart, (nuint)f);
                    (Vector.LoadUnsafe(ref dGammaStart, (nuint)f) + dyVector * normalized).StoreUnsafe(ref dGammaStart, (nuint)f);
                }
                for (; f < stop; f++)
                {
                    int i = r * features + f;
                    dBetas[f] += dys[i];
                    dGammas[f] += dys[i] * ((xs[i] - mean) * invStd);
                }
            }
        }
    }

    /// <summary>dx for rows [start, end), vectorised along each group.</summary>
    private static void InputGradientRows(Tensor<T> dx, Tensor<T> dy, Tensor<T> x, Tensor<T> gamma,
        Tensor<T> savedMean, Tensor<T> savedInvStd, int groups, int start, int end)
    {
        var dxs = CpuBackend<T>.Span(dx);
        var dys = CpuBackend<T>.Span(dy);
        var xs = CpuBackend<T>.Span(x);
        var gammas = CpuBackend<T>.Span(gamma);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        int features = x.Shape[1], size = features / groups, width = Vector<T>.Count;
        T n = T.CreateTruncating(size);
        var nVector = new Vector<T>(n);
        for (int r = start; r < end; r++)
            for (int g = 0; g < groups; g++)
            {
                int first = r * features + g * size, s = r * groups + g;
                ref T dxStart = ref MemoryMarshal.GetReference(dxs.Slice(first));
                ref T dyStart = ref MemoryMarshal.GetReference(dys.Slice(first));
                ref T xStart = ref MemoryMarshal.GetReference(xs.Slice(first));
                ref T gammaStart = ref MemoryMarshal.GetReference(gammas.Slice(g * size));
                var meanVector = new Vector<T>(means[s]);
                Vector<T> sumsG = Vector<T>.Zero, sumsGCentered = Vector<T>.Zero;
                int j;
                for (j = 0; j <= size - width; j += width)
                {
                    var scaled = Vector.LoadUnsafe(ref dyStart, (nuint)j) * Vector.LoadUnsafe(ref gammaStart, (nuint)j);
                    sumsG += scaled;
                    sumsGCentered += scaled * (Vector.LoadUnsafe(ref xStart, (nuint)j) - meanVector);
                }
                T sumG = Vector.Sum(sumsG), sumGCentered = Vector.Sum(sumsGCentered);
                for (; j < size; j++)
                {
                    T scaled = dys[first + j] * gammas[g * size + j];
                    sumG += scaled;
                    sumGCentered += scaled * (xs[first + j] - means[s]);
                }

                T coefficient = invStds[s] / n, centeredScale = invStds[s] * (sumGCentered * invStds[s]);
                var (coefficientVector, centeredScaleVector, sumGVector) =
                    (new Vector<T>(coefficient), new Vector<T>(centeredScale), new Vector<T>(sumG));
                for (j = 0; j <= size - width; j += width)
                {
                    var scaled = Vector.LoadUnsafe(ref dyStart, (nuint)j) * Vector.LoadUnsafe(ref gammaStart, (nuint)j);
                    var centered = Vector.LoadUnsafe(ref xStart, (nuint)j) - meanVector;
                    (coefficientVector * (nVector * scaled - sumGVector - centered * centeredScaleVector))
                        .StoreUnsafe(ref dxStart, (nuint)j);
                }
                for (; j < size; j++)
                {
                    T scaled = dys[first + j] * gammas[g * size + j];
                    dxs[first + j] = coefficient * (n * scaled - sumG - (xs[first + j] - means[s]) * centeredScale);
                }
            }
    }
}
