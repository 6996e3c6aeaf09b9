using BenchmarkDotNet.Attributes;

namespace CudaNet.Bench.Families;

/// <summary>
/// Batch norm (training forward and backward) and layer norm (forward) on x [16384, 1024], 64 MB a tensor.
/// Napkin math, counting the passes over (N,F) tensors and ignoring the per-feature or per-row statistics:
/// BatchNorm forward reads x for the statistics, reads it again and writes y (192 MB); BatchNorm backward reads
/// dy and x for dγ/dβ, again for dx, and writes dx (320 MB); LayerNorm forward reads x and writes y, a 4 KB row
/// staying in cache between its statistics and its output (128 MB). GB/s = bytes / time in ns; the bandwidth
/// reference is <see cref="ElementwiseBenchmarks.Copy"/> (128 MB).
/// </summary>
[MemoryDiagnoser]
public class NormalizationBenchmarks : DeviceBenchmark
{
    private const int Rows = 16384, Features = 1024;
    private const double Momentum = 0.1, Eps = 1e-5;
    private Tensor<float> _x = null!, _y = null!, _dy = null!, _gamma = null!, _beta = null!, _dGamma = null!, _dBeta = null!;
    private Tensor<float> _mean = null!, _invStd = null!, _runningMean = null!, _runningVar = null!;
    private Tensor<float> _rowMean = null!, _rowInvStd = null!;

    /// <inheritdoc/>
    protected override void Setup()
    {
        (_x, _y, _dy) = (Random(1, Rows, Features), Zeros(Rows, Features), Random(2, Rows, Features));
        _gamma = Own(Backend.FromArray(Enumerable.Repeat(1f, Features).ToArray(), Features));
        (_beta, _dGamma, _dBeta) = (Zeros(Features), Zeros(Features), Zeros(Features));
        (_mean, _invStd, _runningMean) = (Zeros(Features), Zeros(Features), Zeros(Features));
        _runningVar = Own(Backend.FromArray(Enumerable.Repeat(1f, Features).ToArray(), Features));
        (_rowMean, _rowInvStd) = (Zeros(Rows), Zeros(Rows));
        // Backward needs the saved statistics of a forward pass over the same x.
        Backend.BatchNormForwardTraining(_y, _mean, _invStd, _runningMean, _runningVar, _x, _gamma, _beta, Momentum, Eps);
    }

    /// <summary>Batch statistics, y = γ·x̂ + β, and the running-statistics update: 192 MB moved.</summary>
    [Benchmark]
    public void BatchNormTrainingForward()
    {
        Backend.BatchNormForwardTraining(_y, _mean, _invStd, _runningMean, _runningVar, _x, _gamma, _beta, Momentum, Eps);
        Backend.Synchronize();
    }

    /// <summary>dγ, dβ and dx from the saved statistics: 320 MB moved.</summary>
    [Benchmark]
    public void BatchNormBackward()
    {
        Backend.BatchNormBackward(_y, _dGamma, _dBeta, _dy, _x, _gamma, _mean, _invStd);
        Backend.Synchronize();
    }

    /// <summary>Per-row statistics and y = γ·x̂ + β: 128 MB moved.</summary>
    [Benchmark]
    public void LayerNormForward()
    {
        Backend.LayerNormForward(_y, _rowMean, _rowInvStd, _x, _gamma, _beta, Eps);
        Backend.Synchronize();
    }
}
