using System.Numerics;

namespace CudaNet;

/// <summary>
/// Adamax (Kingma and Ba, 2015, §7.1), PyTorch <c>torch.optim.Adamax</c>: m = β₁m + (1-β₁)g,
/// u = max(β₂u, |g| + eps), θ -= (lr/bc₁)·m/u. <c>weightDecay</c> adds wd·θ to the gradient.
/// </summary>
public sealed class Adamax : Optimizer
{
    /// <summary>Creates Adamax with PyTorch's defaults.</summary>
    public Adamax(double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(lr, weightDecay)
    {
        if (beta1 is not (>= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "Adamax: beta1 must be in [0, 1).");
        if (beta2 is not (>= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "Adamax: beta2 must be in [0, 1).");
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Adamax: eps must be finite and >= 0.");
        Settings = new AdamaxSettings(beta1, beta2, eps);
    }

    /// <summary>β₁, β₂, eps.</summary>
    public AdamaxSettings Settings { get; }

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly AdamaxSettings _settings;
        private readonly Tensor<T>[] _expAvg, _expInf;

        public State(Network<T> network, Adamax optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            _expAvg = AddState("exp_avg");
            _expInf = AddState("exp_inf");
        }

        protected override void Update(int group, UpdateStep step) =>
            Network.Backend.AdamaxUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expInf[group], _settings, step);

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.AdamaxUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expInf[group], control, group);

        protected override object UpdateSettings => _settings;
    }
}
