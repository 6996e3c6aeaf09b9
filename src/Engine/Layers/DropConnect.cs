using System.Numerics;

namespace CudaNet;

/// <summary>How a <see cref="DropConnect"/> layer computes its output in evaluation.</summary>
public enum DropConnectInference
{
    /// <summary>y = act(x·((1 - p)·W)ᵀ + b): the expected weights, as dropout's weight scaling.</summary>
    WeightScaling,
    /// <summary>Wan et al. (2013), §3: the pre-activation of each unit is approximated by a Gaussian
    /// u ~ N(μ, σ²) with μ = (1 - p)·W·v + b and σ² = p(1 - p)·(W ⊙ W)·(v ⊙ v); the output is the mean of act(u) over
    /// <see cref="DropConnect.Samples"/> draws.</summary>
    MomentMatching,
}

/// <summary>
/// DropConnect (Wan, Zeiler, Zhang, LeCun, Fergus 2013): a dense layer whose weights are masked afresh at every
/// training step, y = act(x·(W ⊙ M)ᵀ + b) with M ~ Bernoulli(1 - p) per weight and no rescaling (the paper's form;
/// the mask comes from <see cref="IBackend{T}.DropConnectMask"/> with a Philox offset per call, like
/// <see cref="Dropout"/>). The activation belongs to the layer, as in the paper, because moment-matching inference
/// averages act(u) over Gaussian samples of the pre-activation. Backward: dz = dy ⊙ act'(z), dW = M ⊙ (dzᵀ·x),
/// db = Σ dz, dx = dz·(W ⊙ M). Parameters are named as <see cref="Dense"/>'s (weight (out, in), bias (out)) with
/// the same PyTorch default initialisation. Dense's weight noise is a different regulariser and stays there.
/// </summary>
public sealed class DropConnect : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inputs">Input features (&gt; 0).</param>
    /// <param name="outputs">Output features (&gt; 0).</param>
    /// <param name="p">Probability of dropping each weight, in [0, 1) (0 trains a plain dense layer).</param>
    /// <param name="inference">Evaluation rule (default weight scaling).</param>
    /// <param name="samples">Gaussian samples per unit for moment matching (&gt; 0; the paper's experiments use
    /// on the order of 1000, the default 100 keeps the estimate's noise near 10% of σ).</param>
    /// <param name="activation">Applied by the layer (default ReLU).</param>
    /// <param name="bias">Whether to learn a bias (not masked).</param>
    /// <param name="weightInit">Weight initialiser (default PyTorch nn.Linear's).</param>
    /// <param name="biasInit">Bias initialiser (default PyTorch nn.Linear's).</param>
    /// <param name="regularizer">L1/L2 penalty on the weights.</param>
    public DropConnect(int inputs, int outputs, double p = 0.5, DropConnectInference inference = DropConnectInference.WeightScaling,
        int samples = 100, Activation? activation = null, bool bias = true, Initializer? weightInit = null,
        Initializer? biasInit = null, Regularizer? regularizer = null)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "DropConnect: inputs must be >= 1.");
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "DropConnect: outputs must be >= 1.");
        if (!(p is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "DropConnect: p must be in [0, 1).");
        if (!Enum.IsDefined(inference))
            throw new ArgumentOutOfRangeException(nameof(inference), inference, "DropConnect: unknown inference rule.");
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "DropConnect: samples must be >= 1.");
        var act = activation ?? CudaNet.Activation.ReLU;
        if (!Enum.IsDefined(act.Kind) || !double.IsFinite(act.Alpha))
            throw new ArgumentOutOfRangeException(nameof(activation), act, "DropConnect: unknown activation or non-finite alpha.");
        (Inputs, Outputs, P, Inference, Samples, Activation, HasBias, WeightInit, BiasInit, Regularizer) =
            (inputs, outputs, p, inference, samples, act, bias, weightInit ?? Initializer.LinearWeightDefault,
             biasInit ?? Initializer.LinearBiasDefault, regularizer);
    }

    /// <summary>Input features.</summary>
    public int Inputs { get; }
    /// <summary>Output features.</summary>
    public int Outputs { get; }
    /// <summary>Drop probability of each weight.</summary>
    public double P { get; }
    /// <summary>Evaluation rule.</summary>
    public DropConnectInference Inference { get; }
    /// <summary>Gaussian samples per unit for moment matching.</summary>
    public int Samples { get; }
    /// <summary>The layer's activation.</summary>
    public Activation Activation { get; }
    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias { get; }
    /// <summary>Weight initialiser.</summary>
    public Initializer WeightInit { get; }
    /// <summary>Bias initialiser.</summary>
    public Initializer BiasInit { get; }
    /// <summary>Penalty, or null.</summary>
    public Regularizer? Regularizer { get; }

    /// <inheritdoc/>
    public override int? InputFeatures => Inputs;

    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures)
    {
        RequireInput(inputFeatures, Inputs);
        return Outputs;
    }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context)
    {
        RequireInput(context.InputFeatures, Inputs);
        return new Runtime<T>(this, context);
    }

    private sealed class Runtime<T> : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly DropConnect _layer;
        private readonly IBackend<T> _backend;
        private readonly Parameter<T> _weight;
        private readonly Parameter<T>? _bias;
        private readonly Tensor<T> _maskedWeight, _weightGradient;
        private readonly RowScratch<T> _preActivation, _preActivationGradient;
        private readonly DropConnectMomentMatching<T>? _momentMatching;
        private readonly ulong _seed, _streamBase;
        private readonly int _index;
        private long _calls;

        public Runtime(DropConnect layer, LayerContext<T> context)
        {
            (_layer, _backend) = (layer, context.Backend);
            _weight = context.AddParameter("weight", [layer.Outputs, layer.Inputs], ParameterRole.Weight, layer.WeightInit,
                layer.Inputs, layer.Outputs, layer.Regularizer);
            if (layer.HasBias)
                _bias = context.AddParameter("bias", [layer.Outputs], ParameterRole.Bias, layer.BiasInit, layer.Inputs, layer.Outputs,
                    layer.Regularizer is { IncludeBiases: true } ? layer.Regularizer : null);
            _maskedWeight = _backend.Allocate<T>(layer.Outputs, layer.Inputs);
            _weightGradient = _backend.Allocate<T>(layer.Outputs, layer.Inputs);
            _preActivation = new RowScratch<T>(_backend, layer.Outputs);
            _preActivationGradient = new RowScratch<T>(_backend, layer.Outputs);
            (_seed, _streamBase, _index) = (context.Seed, StochasticStreams.Base(context.Index), context.Index);
            if (layer.Inference == DropConnectInference.MomentMatching)
                _momentMatching = new DropConnectMomentMatching<T>(_backend, layer.Inputs, layer.Outputs, layer.P, layer.Samples,
                    layer.Activation, _seed, _streamBase + DropConnectMomentMatching<T>.StreamOffset);
        }

        public override int OutputFeatures => _layer.Outputs;

        /// <summary>Offset of the mask of the last training forward pass (the backward pass regenerates nothing: it
        /// reuses the masked weights and re-masks the weight gradient with the same offset).</summary>
        private ulong LastOffset => _streamBase + (ulong)(_calls - 1);

        public override void Reserve(int maxRows)
        {
            _preActivation.Reserve(maxRows);
            _preActivationGradient.Reserve(maxRows);
            _momentMatching?.Reserve(maxRows);
        }

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
        {
            if (!training)
            {
                if (_momentMatching is not null) _momentMatching.Forward(y, x, _weight.Value, _bias?.Value);
                else _backend.Gemm(y, x, false, _weight.Value, true, 1 - _layer.P, 0, _bias?.Value, _layer.Activation);
                return;
            }
            _calls++;
            ForwardMasked(x, y, LastOffset);
        }

        /// <summary>MC sampling draws a fresh mask from the sampling streams, leaving the training state alone.</summary>
        public override void ForwardSample(Tensor<T> x, Tensor<T> y, ulong draw) =>
            ForwardMasked(x, y, StochasticStreams.Sample(_index, draw));

        private void ForwardMasked(Tensor<T> x, Tensor<T> y, ulong offset)
        {
            _backend.DropConnectMask(_maskedWeight, _weight.Value, _layer.P, _seed, offset);
            var z = _preActivation.Rows(x.Rows);
            _backend.Gemm(z, x, false, _maskedWeight, true, 1, 0, _bias?.Value);
            _backend.ActivationForward(y, z, _layer.Activation);
        }

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            var (z, dz) = (_preActivation.Rows(x.Rows), _preActivationGradient.Rows(x.Rows));
            _backend.ActivationBackward(dz, dy, z, y, _layer.Activation);
            // The mask is linear in W, so masking ∂L/∂(W ⊙ M) with the forward's offset gives ∂L/∂W.
            _backend.Gemm(_weightGradient, dz, true, x, false, 1, 0);
            _backend.DropConnectMask(_weight.Gradient, _weightGradient, _layer.P, _seed, LastOffset);
            if (_bias is not null) _backend.ColumnSum(_bias.Gradient, dz);
            if (dx is not null) _backend.Gemm(dx, dz, false, _maskedWeight, false, 1, 0);
        }

        public override IEnumerable<LayerCounter> Counters => [new LayerCounter("rng_calls", _calls, InStateDict: false)];

        public override void SetCounter(string name, long value)
        {
            if (name != "rng_calls") base.SetCounter(name, value);
            _calls = value;
        }

        protected override void Dispose(bool disposing)
        {
            _maskedWeight.Dispose();
            _weightGradient.Dispose();
            _preActivation.Dispose();
            _preActivationGradient.Dispose();
            _momentMatching?.Dispose();
        }
    }
}
