using System.Numerics;

namespace CudaNet;

/// <summary>
/// Batch normalisation over the features of (N, F) batches, PyTorch <c>nn.BatchNorm1d</c>: in training,
/// y = γ·(x - μ_B)/√(σ²_B + eps) + β with the batch's biased variance, and running statistics updated as
/// r = (1 - momentum)·r + momentum·batch (running variance unbiased); in evaluation the running statistics are
/// used. Training needs more than one example per batch. State-dict names: weight (γ), bias (β), running_mean,
/// running_var, num_batches_tracked. A ReLU right after it runs fused into its ops (<see cref="LayerFusion"/>).
/// </summary>
public sealed class BatchNorm : FeatureLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="features">F (&gt; 0).</param>
    /// <param name="eps">Added to the variance (&gt; 0, PyTorch 1e-5).</param>
    /// <param name="momentum">Running-statistics momentum in [0, 1] (PyTorch 0.1).</param>
    public BatchNorm(int features, double eps = 1e-5, double momentum = 0.1)
        : base(features)
    {
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "BatchNorm: eps must be finite and > 0.");
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "BatchNorm: momentum must be in [0, 1].");
        (Eps, Momentum) = (eps, momentum);
    }

    /// <summary>Variance epsilon.</summary>
    public double Eps { get; }
    /// <summary>Running-statistics momentum.</summary>
    public double Momentum { get; }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(this, context);

    private sealed class Runtime<T> : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly BatchNorm _layer;
        private readonly IBackend<T> _backend;
        private readonly Parameter<T> _gamma, _beta;
        private readonly ModelBuffer<T> _runningMean, _runningVar;
        private readonly Tensor<T> _savedMean, _savedInvStd;
        private readonly Activation _activation;
        private long _batchesTracked;

        public Runtime(BatchNorm layer, LayerContext<T> context)
        {
            layer.RequireInput(context.InputFeatures, layer.Features);
            (_layer, _backend, _activation) = (layer, context.Backend, context.FusedActivation);
            int f = layer.Features;
            _gamma = context.AddParameter("weight", [f], ParameterRole.Normalization, Initializer.Ones, f, f);
            _beta = context.AddParameter("bias", [f], ParameterRole.Normalization, Initializer.Zeros, f, f);
            _runningMean = context.AddBuffer("running_mean", [f], 0);
            _runningVar = context.AddBuffer("running_var", [f], 1);
            _savedMean = _backend.Allocate<T>(f);
            _savedInvStd = _backend.Allocate<T>(f);
        }

        public override int OutputFeatures => _layer.Features;

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
        {
            if (training)
            {
                _backend.BatchNormForwardTraining(y, _savedMean, _savedInvStd, _runningMean.Value, _runningVar.Value, x,
                    _gamma.Value, _beta.Value, _layer.Momentum, _layer.Eps, _activation);
                _batchesTracked++;
            }
            else
            {
                _backend.BatchNormForwardInference(y, x, _gamma.Value, _beta.Value, _runningMean.Value, _runningVar.Value, _layer.Eps,
                    _activation);
            }
        }

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            // The fused backward always produces dx; the first layer of a model rarely is a BatchNorm, so a
            // scratch-free variant without dx is not worth a second kernel.
            if (dx is null) throw new InvalidOperationException("BatchNorm as the first layer needs an input gradient buffer.");
            // With a fused ReLU, y is its output and dy its gradient: the op masks dy by y.
            _backend.BatchNormBackward(dx, _gamma.Gradient, _beta.Gradient, dy, x, _gamma.Value, _savedMean, _savedInvStd,
                y, _activation);
        }

        public override IEnumerable<LayerCounter> Counters => [new LayerCounter("num_batches_tracked", _batchesTracked, InStateDict: true)];

        public override void SetCounter(string name, long value)
        {
            if (name != "num_batches_tracked") base.SetCounter(name, value);
            _batchesTracked = value;
        }

        protected override void Dispose(bool disposing)
        {
            _savedMean.Dispose();
            _savedInvStd.Dispose();
        }
    }
}
