using System.Numerics;

namespace CudaNet;

/// <summary>
/// <see cref="DropConnectInference.MomentMatching"/> composed from existing backend ops. For a batch v (N, in):
/// μ = (1 - p)·v·Wᵀ + b and σ² = p(1 - p)·(v ⊙ v)·(W ⊙ W)ᵀ by GEMM (squares by <see cref="ElementwiseProduct{T}"/>);
/// then for each sample s, e_s = μ + z_s with z_s ~ N(0, 1) from <see cref="IBackend{T}.AddGaussianNoise"/>, and
/// <see cref="IBackend{T}.BatchNormForwardInference"/> with mean μ, variance σ², scale σ², shift μ and the smallest
/// normal eps turns every sample row into u_s = μ + σ²·z_s/√(σ² + eps) = μ + σ·z_s (relative error eps/σ², nil
/// for any σ that matters). The output is Σ_s act(u_s)/S, accumulated over chunks of samples to bound scratch.
/// The sampling streams are fixed (the layer's base offset + 2³⁹ + s), so evaluation is deterministic.
/// </summary>
internal sealed class DropConnectMomentMatching<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Offset of the first sampling stream above the layer's base: half-way through its 2⁴⁰ offsets, far
    /// beyond any count of training calls.</summary>
    public const ulong StreamOffset = 1UL << 39;

    /// <summary>Most sample values held at once (a chunk of samples × N·out).</summary>
    private const int ChunkBudget = 1 << 22;

    private readonly IBackend<T> _backend;
    private readonly int _inputs, _outputs, _samples;
    private readonly double _p;
    private readonly Activation _activation;
    private readonly ulong _seed, _streamBase;
    private readonly Tensor<T> _squaredWeight;
    private RowScratch<T>? _mean, _variance, _squaredInput, _sum, _partial;
    private Tensor<T>? _noisy, _sampled;
    private ElementwiseProduct<T>? _multiply;
    private int _capacity;

    public DropConnectMomentMatching(IBackend<T> backend, int inputs, int outputs, double p, int samples, Activation activation,
        ulong seed, ulong streamBase)
    {
        (_backend, _inputs, _outputs, _p, _samples, _activation, _seed, _streamBase) =
            (backend, inputs, outputs, p, samples, activation, seed, streamBase);
        _squaredWeight = backend.Allocate<T>(outputs, inputs);
    }

    /// <summary>Smallest normal number of T: positive, as the op requires, and never flushed to zero.</summary>
    private static double Eps => typeof(T) == typeof(float) ? 1.1754943508222875e-38 : 2.2250738585072014e-308;

    public void Reserve(int maxRows)
    {
        if (maxRows <= _capacity) return;
        DisposeScratch();
        _mean = new RowScratch<T>(_backend, _outputs);
        _variance = new RowScratch<T>(_backend, _outputs);
        _squaredInput = new RowScratch<T>(_backend, _inputs);
        _sum = new RowScratch<T>(_backend, _outputs);
        _partial = new RowScratch<T>(_backend, _outputs);
        foreach (var scratch in new[] { _mean, _variance, _squaredInput, _sum, _partial }) scratch.Reserve(maxRows);
        int values = checked(maxRows * _outputs);
        int chunk = Math.Clamp(ChunkBudget / values, 1, _samples);
        _noisy = _backend.Allocate<T>(checked(chunk * values));
        _sampled = _backend.Allocate<T>(checked(chunk * values));
        _multiply = new ElementwiseProduct<T>(_backend, Math.Max(_outputs * _inputs, checked(maxRows * _inputs)));
        _capacity = maxRows;
    }

    public void Forward(Tensor<T> y, Tensor<T> x, Tensor<T> weight, Tensor<T>? bias)
    {
        int rows = x.Rows;
        if (rows > _capacity) Reserve(rows);
        var (mean, variance, squaredInput) = (_mean!.Rows(rows), _variance!.Rows(rows), _squaredInput!.Rows(rows));
        var (sum, partial) = (_sum!.Rows(rows), _partial!.Rows(rows));
        _backend.Gemm(mean, x, false, weight, true, 1 - _p, 0, bias);
        _multiply!.Multiply(_squaredWeight, weight, weight);
        _multiply.Multiply(squaredInput, x, x);
        _backend.Gemm(variance, squaredInput, false, _squaredWeight, true, _p * (1 - _p), 0);

        int values = rows * _outputs;
        int chunk = Math.Min(_noisy!.Length / values, _samples);
        var flatMean = mean.Reshape(values);
        var flatVariance = variance.Reshape(values);
        var flatPartial = partial.Reshape(values);
        for (int first = 0; first < _samples; first += chunk)
        {
            int count = Math.Min(chunk, _samples - first);
            var noisy = _noisy.View(0, count, values);
            var sampled = _sampled!.View(0, count, values);
            for (int s = 0; s < count; s++)
                _backend.AddGaussianNoise(noisy.View(s * values, values), flatMean, 1, _seed, _streamBase + (ulong)(first + s));
            _backend.BatchNormForwardInference(sampled, noisy, flatVariance, flatMean, flatMean, flatVariance, Eps);
            _backend.ActivationForward(sampled, sampled, _activation);
            _backend.ColumnSum(first == 0 ? sum.Reshape(values) : flatPartial, sampled);
            if (first > 0) _backend.Axpy(sum, partial, 1);
        }
        _backend.Scale(y, sum, 1.0 / _samples);
    }

    private void DisposeScratch()
    {
        foreach (var scratch in new[] { _mean, _variance, _squaredInput, _sum, _partial }) scratch?.Dispose();
        _noisy?.Dispose();
        _sampled?.Dispose();
        _multiply?.Dispose();
        _capacity = 0;
    }

    public void Dispose()
    {
        DisposeScratch();
        _squaredWeight.Dispose();
    }
}
