using System.Numerics;

namespace CudaNet;

/// <summary>
/// Adam (Kingma and Ba, 2015), PyTorch <c>torch.optim.Adam</c>: m = β₁m + (1-β₁)g, v = β₂v + (1-β₂)g²,
/// θ -= (lr/bc₁)·m/(√v/√bc₂ + eps); AMSGrad uses the running maximum of v. <c>weightDecay</c> adds wd·θ to the
/// gradient (L2), as in PyTorch; use <see cref="AdamW"/> for decoupled decay.
/// </summary>
/// <remarks>
/// <see cref="OptimizerConvention.Keras"/> (see <see cref="Keras"/>) follows Keras 3: θ -= lr·√bc₂/bc₁ · m/(√v + eps),
/// eps added to √v rather than to √v̂ (AMSGrad: to the root of the running maximum), and decoupled weight decay.
/// It is PyTorch's update with eps/√bc₂ in place of eps, which is how it is computed.
/// </remarks>
public class Adam : Optimizer
{
    /// <summary>Creates Adam with PyTorch's defaults.</summary>
    public Adam(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        bool amsgrad = false, OptimizerConvention convention = OptimizerConvention.PyTorch) : base(lr, weightDecay)
    {
        if (!Enum.IsDefined(convention))
            throw new ArgumentOutOfRangeException(nameof(convention), convention, $"{GetType().Name}: unknown convention.");
        Convention = convention;
        Settings = new AdamSettings(Check(beta1, nameof(beta1)), Check(beta2, nameof(beta2)),
            double.IsFinite(eps) && eps >= 0 ? eps : throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{GetType().Name}: eps must be finite and >= 0."),
            amsgrad);
    }

    /// <summary>Adam as Keras 3 defines it (<c>keras.optimizers.Adam</c>), with Keras' defaults.</summary>
    public static Adam Keras(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-7, double weightDecay = 0,
        bool amsgrad = false) => new(lr, beta1, beta2, eps, weightDecay, amsgrad, OptimizerConvention.Keras);

    /// <summary>β₁, β₂, eps, AMSGrad.</summary>
    public AdamSettings Settings { get; }

    /// <summary>PyTorch's or Keras' formula.</summary>
    public OptimizerConvention Convention { get; }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => Convention == OptimizerConvention.Keras;

    private double Check(double beta, string name) => beta is >= 0 and < 1
        ? beta : throw new ArgumentOutOfRangeException(name, beta, $"{GetType().Name}: {name} must be in [0, 1).");

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly AdamSettings _settings;
        private readonly bool _keras;
        private readonly Tensor<T>[] _expAvg, _expAvgSq;
        private readonly Tensor<T>[]? _maxExpAvgSq;

        public State(Network<T> network, Adam optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            _keras = optimizer.Convention == OptimizerConvention.Keras;
            _expAvg = AddState("exp_avg");
            _expAvgSq = AddState("exp_avg_sq");
            if (_settings.Amsgrad) _maxExpAvgSq = AddState("max_exp_avg_sq");
        }

        protected override void Update(int group, UpdateStep step)
        {
            var settings = _keras
                ? _settings with { Eps = _settings.Eps / Math.Sqrt(1 - Math.Pow(_settings.Beta2, step.Step)) }
                : _settings;
            Network.Backend.AdamUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expAvgSq[group],
                _maxExpAvgSq?[group], settings, step);
        }

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.AdamUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expAvgSq[group],
                _maxExpAvgSq?[group], control, group);

        protected override object UpdateSettings => _settings;

        protected override bool EpsOverBiasCorrection => _keras;
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019), PyTorch <c>torch.optim.AdamW</c>: θ *= 1 - lr·wd, then the Adam step.
/// Default weight decay 1e-2, applied to weights only.
/// </summary>
public sealed class AdamW(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2,
    bool amsgrad = false, OptimizerConvention convention = OptimizerConvention.PyTorch)
    : Adam(lr, beta1, beta2, eps, weightDecay, amsgrad, convention)
{
    /// <summary>AdamW as Keras 3 defines it (<c>keras.optimizers.AdamW</c>), with Keras' defaults.</summary>
    public static new AdamW Keras(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-7, double weightDecay = 4e-3,
        bool amsgrad = false) => new(lr, beta1, beta2, eps, weightDecay, amsgrad, OptimizerConvention.Keras);

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
