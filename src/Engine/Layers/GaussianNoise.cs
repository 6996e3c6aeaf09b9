using System.Numerics;

namespace CudaNet;

/// <summary>
/// Additive Gaussian noise, Keras <c>GaussianNoise(stddev)</c>: in training y = x + σ·z with z ~ N(0, 1) drawn afresh
/// each step from Philox (stream offset = layer base + call number, like <see cref="Dropout"/>); in evaluation the
/// layer is the identity. The noise does not depend on x, so dx = dy.
/// </summary>
public sealed class GaussianNoise : Layer
{
    /// <summary>Creates the layer with noise standard deviation <paramref name="stddev"/> (finite, ≥ 0; 0 is the identity).</summary>
    public GaussianNoise(double stddev)
    {
        if (!(stddev >= 0) || !double.IsFinite(stddev))
            throw new ArgumentOutOfRangeException(nameof(stddev), stddev, "GaussianNoise: stddev must be finite and >= 0.");
        StdDev = stddev;
    }

    /// <summary>σ.</summary>
    public double StdDev { get; }

    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures) => inputFeatures;

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(this, context);

    private sealed class Runtime<T>(GaussianNoise layer, LayerContext<T> context) : LayerRuntime<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly IBackend<T> _backend = context.Backend;
        private readonly ulong _seed = context.Seed, _streamBase = StochasticStreams.Base(context.Index);
        private long _calls;

        public override int OutputFeatures { get; } = context.InputFeatures;

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
        {
            if (!training || layer.StdDev == 0)
            {
                _backend.Copy(y, x);
                return;
            }
            _backend.AddGaussianNoise(y, x, layer.StdDev, _seed, _streamBase + (ulong)_calls++);
        }

        /// <summary>MC sampling adds noise from the sampling streams, leaving the training call count alone.</summary>
        public override void ForwardSample(Tensor<T> x, Tensor<T> y, ulong draw)
        {
            if (layer.StdDev == 0) _backend.Copy(y, x);
            else _backend.AddGaussianNoise(y, x, layer.StdDev, _seed, StochasticStreams.Sample(context.Index, draw));
        }

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            if (dx is not null) _backend.Copy(dx, dy);
        }

        public override IEnumerable<LayerCounter> Counters => [new LayerCounter("rng_calls", _calls, InStateDict: false)];

        public override void SetCounter(string name, long value)
        {
            if (name != "rng_calls") base.SetCounter(name, value);
            _calls = value;
        }
    }
}
