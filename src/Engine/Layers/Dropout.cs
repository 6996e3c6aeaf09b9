using System.Numerics;

namespace CudaNet;

/// <summary>
/// Inverted dropout, PyTorch <c>nn.Dropout</c>: in training each element is kept with probability 1 - p and
/// scaled by 1/(1 - p); in evaluation the layer is the identity. Masks come from Philox (DESIGN.md §6): the
/// backward pass regenerates the forward mask from its (seed, offset) instead of storing it.
/// </summary>
public sealed class Dropout : Layer
{
    /// <summary>Creates the layer with drop probability <paramref name="p"/> in [0, 1).</summary>
    public Dropout(double p = 0.5)
    {
        if (!(p is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1).");
        P = p;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures) => inputFeatures;

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(this, context);

    private sealed class Runtime<T>(Dropout layer, LayerContext<T> context) : LayerRuntime<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly IBackend<T> _backend = context.Backend;
        private readonly ulong _seed = context.Seed, _streamBase = StochasticStreams.Base(context.Index);
        private readonly int _index = context.Index;
        private long _calls;

        public override int OutputFeatures { get; } = context.InputFeatures;

        private ulong LastOffset => _streamBase + (ulong)(_calls - 1);

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
        {
            if (!training || layer.P == 0)
            {
                _backend.Copy(y, x);
                return;
            }
            _calls++;
            _backend.DropoutForward(y, x, layer.P, _seed, LastOffset);
        }

        public override void ForwardSample(Tensor<T> x, Tensor<T> y, ulong draw)
        {
            if (layer.P == 0) _backend.Copy(y, x);
            else _backend.DropoutForward(y, x, layer.P, _seed, StochasticStreams.Sample(_index, draw));
        }

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            if (dx is null) return;
            if (layer.P == 0) _backend.Copy(dx, dy);
            else _backend.DropoutBackward(dx, dy, layer.P, _seed, LastOffset);
        }

        public override IEnumerable<LayerCounter> Counters => [new LayerCounter("rng_calls", _calls, InStateDict: false)];

        public override void SetCounter(string name, long value)
        {
            if (name != "rng_calls") base.SetCounter(name, value);
            _calls = value;
        }
    }
}
