using System.Numerics;

namespace CudaNet;

/// <summary>
/// Fully connected layer, PyTorch <c>nn.Linear</c>: y = x·Wᵀ + b with W (out, in), b (out), initialised as
/// PyTorch does unless told otherwise. Optional weight noise (training only): the step uses W + σ·z with
/// z ~ N(0, 1) drawn afresh each step, and the gradient of W is that of the noisy weights.
/// </summary>
public sealed class Dense : Layer
{
    /// <summary>Creates a dense layer.</summary>
    /// <param name="inputs">Input features (&gt; 0).</param>
    /// <param name="outputs">Output features (&gt; 0).</param>
    /// <param name="bias">Whether to learn a bias.</param>
    /// <param name="weightInit">Weight initialiser (default PyTorch's kaiming_uniform(a = √5)).</param>
    /// <param name="biasInit">Bias initialiser (default U(±1/√in)).</param>
    /// <param name="regularizer">L1/L2 penalty on the weights (and bias if it says so).</param>
    /// <param name="weightNoise">Standard deviation σ of the training-time weight noise (0: none).</param>
    public Dense(int inputs, int outputs, bool bias = true, Initializer? weightInit = null, Initializer? biasInit = null,
        Regularizer? regularizer = null, double weightNoise = 0)
    {
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "Dense: inputs must be >= 1.");
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "Dense: outputs must be >= 1.");
        if (!(weightNoise >= 0) || !double.IsFinite(weightNoise))
            throw new ArgumentOutOfRangeException(nameof(weightNoise), weightNoise, "Dense: weightNoise must be finite and >= 0.");
        (Inputs, Outputs, HasBias, WeightInit, BiasInit, Regularizer, WeightNoise) =
            (inputs, outputs, bias, weightInit ?? Initializer.LinearWeightDefault, biasInit ?? Initializer.LinearBiasDefault,
             regularizer, weightNoise);
    }

    /// <summary>Input features.</summary>
    public int Inputs { get; }
    /// <summary>Output features.</summary>
    public int Outputs { get; }
    /// <summary>Whether the layer has a bias.</summary>
    public bool HasBias { get; }
    /// <summary>Weight initialiser.</summary>
    public Initializer WeightInit { get; }
    /// <summary>Bias initialiser.</summary>
    public Initializer BiasInit { get; }
    /// <summary>Penalty, or null.</summary>
    public Regularizer? Regularizer { get; }
    /// <summary>σ of the weight noise.</summary>
    public double WeightNoise { get; }

    /// <inheritdoc/>
    public override int? InputFeatures => Inputs;

    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures)
    {
        RequireInput(inputFeatures, Inputs);
        return Outputs;
    }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(this, context);

    private sealed class Runtime<T> : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Dense _layer;
        private readonly IBackend<T> _backend;
        private readonly Parameter<T> _weight;
        private readonly Parameter<T>? _bias;
        private readonly Tensor<T>? _noisyWeight;
        private readonly ulong _seed, _streamBase;
        private readonly int _index;
        private long _noiseCalls;

        public Runtime(Dense layer, LayerContext<T> context)
        {
            _layer = layer;
            _backend = context.Backend;
            layer.RequireInput(context.InputFeatures, layer.Inputs);
            _weight = context.AddParameter("weight", [layer.Outputs, layer.Inputs], ParameterRole.Weight, layer.WeightInit,
                layer.Inputs, layer.Outputs, layer.Regularizer);
            if (layer.HasBias)
                _bias = context.AddParameter("bias", [layer.Outputs], ParameterRole.Bias, layer.BiasInit, layer.Inputs, layer.Outputs,
                    layer.Regularizer is { IncludeBiases: true } ? layer.Regularizer : null);
            if (layer.WeightNoise > 0) _noisyWeight = _backend.Allocate<T>(layer.Outputs, layer.Inputs);
            (_seed, _streamBase, _index) = (context.Seed, StochasticStreams.Base(context.Index), context.Index);
        }

        public override int OutputFeatures => _layer.Outputs;

        private Tensor<T> StepWeight => _noisyWeight ?? _weight.Value;

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
        {
            var weight = _weight.Value;
            if (training && _noisyWeight is not null)
            {
                _backend.AddGaussianNoise(_noisyWeight, _weight.Value, _layer.WeightNoise, _seed, _streamBase + (ulong)_noiseCalls++);
                weight = _noisyWeight;
            }
            _backend.Gemm(y, x, false, weight, true, 1, 0, _bias?.Value);
        }

        public override void ForwardSample(Tensor<T> x, Tensor<T> y, ulong draw)
        {
            var weight = _weight.Value;
            if (_noisyWeight is not null)
            {
                _backend.AddGaussianNoise(_noisyWeight, _weight.Value, _layer.WeightNoise, _seed, StochasticStreams.Sample(_index, draw));
                weight = _noisyWeight;
            }
            _backend.Gemm(y, x, false, weight, true, 1, 0, _bias?.Value);
        }

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            _backend.Gemm(_weight.Gradient, dy, true, x, false, 1, 0);
            if (_bias is not null) _backend.ColumnSum(_bias.Gradient, dy);
            if (dx is not null) _backend.Gemm(dx, dy, false, StepWeight, false, 1, 0);
        }

        public override IEnumerable<LayerCounter> Counters =>
            _noisyWeight is null ? [] : [new LayerCounter("noise_calls", _noiseCalls, InStateDict: false)];

        public override void SetCounter(string name, long value)
        {
            if (name != "noise_calls" || _noisyWeight is null) base.SetCounter(name, value);
            _noiseCalls = value;
        }

        protected override void Dispose(bool disposing) => _noisyWeight?.Dispose();
    }
}
