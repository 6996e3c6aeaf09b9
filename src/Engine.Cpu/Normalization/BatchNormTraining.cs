using System.Numerics;
using CudaNet.Cpu.Dense;

namespace CudaNet.Cpu;

/// <summary>
/// Batch-norm training forward. x (N,F), y (N,F); savedMean, savedInvStd, runningMean, runningVar, gamma, beta (F).
/// Per column: mean μ, M2 = Σ(x-μ)², invstd = 1/√(M2/N + eps); y = act((x-μ)·(invstd·γ) + β), act Identity or ReLU;
/// running mean ← m·μ + (1-m)·running mean, running var ← m·M2/(N-1) + (1-m)·running var (PyTorch's order).
/// Napkin math: x is read twice (statistics, then the normalising pass) and y written once, 3·N·F·sizeof(T) bytes.
/// </summary>
internal static class BatchNormTraining<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one column at a time with plain scalar loops, statistics accumulated in T.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> runningMean,
        Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps, bool relu)
    {
        var ys = CpuBackend<T>.Span(y);
        var xs = CpuBackend<T>.Span(x);
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        var gammas = CpuBackend<T>.Span(gamma);
        var betas = CpuBackend<T>.Span(beta);
        var runningMeans = CpuBackend<T>.Span(runningMean);
        var runningVars = CpuBackend<T>.Span(runningVar);
        int rows = x.Shape[0], features = x.Shape[1];
        T n = T.CreateTruncating(rows);
        for (int f = 0; f < features; f++)
        {
            var (mean, m2) = NormStatistics<T>.Reference(xs, f, rows, features);
            means[f] = mean;
            invStds[f] = NormStatistics<T>.InvStd(m2, n, eps);
            UpdateRunning(ref runningMeans[f], ref runningVars[f], mean, m2, n, momentum);
        }
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                int i = r * features + f;
                T z = (xs[i] - means[f]) * (invStds[f] * gammas[f]) + betas[f];
                ys[i] = relu ? new ReLUFunction<T>().Forward(z) : z;
            }
    }

    /// <summary>
    /// SIMD: the statistics read x once (<see cref="ColumnMoments{T}"/>: L2-sized row blocks, two passes each from
    /// cache, merged in a fixed order), the normalising pass reads it again and writes y, vectorised along rows and
    /// parallel over row blocks, a large y written with streaming stores: 3·N·F·sizeof(T) bytes of memory traffic,
    /// the minimum for a batch statistic (a fused ReLU is applied in the normalising pass at no extra traffic).
    /// Results do not depend on the thread count.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd,
        Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta, T momentum, T eps, bool relu)
    {
        int rows = x.Shape[0], features = x.Shape[1];
        var means = CpuBackend<T>.Span(savedMean);
        var invStds = CpuBackend<T>.Span(savedInvStd);
        ColumnMoments<T>.Compute(backend, x, means, invStds);
        var runningMeans = CpuBackend<T>.Span(runningMean);
        var runningVars = CpuBackend<T>.Span(runningVar);
        T n = T.CreateTruncating(rows);
        for (int f = 0; f < features; f++)
        {
            T m2 = invStds[f];
            invStds[f] = NormStatistics<T>.InvStd(m2, n, eps);
            UpdateRunning(ref runningMeans[f], ref runningVars[f], means[f], m2, n, momentum);
        }
        bool streaming = StreamingStore.Worthwhile(y);
        backend.ParallelFor(rows, NormStatistics<T>.RowGrain(features), (y, x, savedMean, savedInvStd, gamma, beta, streaming, relu),
            static (s, _, start, end) => BatchNormInference<T>.NormalizeRows(s.y, s.x, s.savedMean, s.savedInvStd, s.gamma, s.beta,
                start, end, s.streaming, s.relu));
    }

    private static void UpdateRunning(ref T runningMean, ref T runningVar, T mean, T m2, T n, T momentum)
    {
        T keep = T.One - momentum;
        runningMean = momentum * mean + keep * runningMean;
        runningVar = momentum * (m2 / (n - T.One)) + keep * runningVar;
    }
}
