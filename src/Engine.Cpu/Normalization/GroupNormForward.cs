using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Group-norm forward, which is also layer norm (one group). x (N,F), y (N,F); gamma, beta (F); savedMean,
/// savedInvStd (N·G), index row·G + group. Each row's F features split into G contiguous groups of S = F/G; per
/// group: mean μ, invstd = 1/√(Σ(x-μ)²/S + eps); y = (x-μ)·(invstd·γ) + β. Napkin math: x read three times
/// (two statistics passes, one normalising pass, the row mostly from cache) and y written once.
/// </summary>
internal static class GroupNormForward<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: plain scalar loops, statistics accumulated in T.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, int groups, T eps)
    {
        var ys = CpuBackend<T>.Span(y);
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        var gammas = CpuBackend<T>.Span(gamma);
        var betas = CpuBackend<T>.Span(beta);
        int rows = x.Shape[0], features = x.Shape[1], size = features / groups;
        T n = T.CreateTruncating(size);
        for (int r = 0; r < rows; r++)
            for (int g = 0; g < groups; g++)
            {
                int first = r * features + g * size;
                var (mean, m2) = NormStatistics<T>.Reference(xs, first, size, stride: 1);
                T invStd = NormStatistics<T>.InvStd(m2, n, eps);
                means[r * groups + g] = mean;
                invStds[r * groups + g] = invStd;
                for (int j = 0; j < size; j++)
                    ys[first + j] = (xs[first + j] - mean) * (invStd * gammas[g * size + j]) + betas[g * size + j];
            }
    }

    /// <summary>SIMD: vectorised along each group, parallel over row blocks (each group is independent of the
    /// chunking, so results do not depend on the thread count).</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd,
        Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, int groups, T eps) =>
        backend.ParallelFor(x.Shape[0], NormStatistics<T>.RowGrain(x.Shape[1]), (y, savedMean, savedInvStd, x, gamma, beta, groups, eps),
            static (s, _, start, end) => Rows(s.y, s.savedMean, s.savedInvStd, s.x, s.gamma, s.beta, s.groups, s.eps, start, end));

    private static void Rows(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x, Tensor<T> gamma,
        Tensor<T> beta, int groups, T eps, int start, int end)
    {
        var ys = CpuBackend<T>.Span(y);
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        var gammas = CpuBackend<T>.Span(gamma);
        var betas = CpuBackend<T>.Span(beta);
        int features = x.Shape[1], size = features / groups, width = Vector<T>.Count;
        T n = T.CreateTruncating(size);
        for (int r = start; r < end; r++)
            for (int g = 0; g < groups; g++)
            {
                var xGroup = xs.Slice(r * features + g * size, size);
                var yGroup = ys.Slice(r * features + g * size, size);
                var gammaGroup = gammas.Slice(g * size, size);
                var betaGroup = betas.Slice(g * size, size);
                var (mean, m2) = NormStatistics<T>.Contiguous(xGroup);
                T invStd = NormStatistics<T>.InvStd(m2, n, eps);
                means[r * groups + g] = mean;
                invStds[r * groups + g] = invStd;

                ref T xStart = ref MemoryMarshal.GetReference(xGroup);
                ref T yStart = ref MemoryMarshal.GetReference(yGroup);
                ref T gammaStart = ref MemoryMarshal.GetReference(gammaGroup);
                ref T betaStart = ref MemoryMarshal.GetReference(betaGroup);
                var (meanVector, invStdVector) = (new Vector<T>(mean), new Vector<T>(invStd));
                int i;
                for (i = 0; i <= size - width; i += width)
                {
                    var scale = invStdVector * Vector.LoadUnsafe(ref gammaStart, (nuint)i);
                    ((Vector.LoadUnsafe(ref xStart, (nuint)i) - meanVector) * scale + Vector.LoadUnsafe(ref betaStart, (nuint)i))
                        .StoreUnsafe(ref yStart, (nuint)i);
                }
                for (; i < size; i++)
                    yGroup[i] = (xGroup[i] - mean) * (invStd * gammaGroup[i]) + betaGroup[i];
            }
    }
}
