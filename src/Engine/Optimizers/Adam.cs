using System.Numerics;

namespace CudaNet;

/// <summary>
/// Adam (Kingma and Ba, 2015), PyTorch <c>torch.optim.Adam</c>: m = β₁m + (1-β₁)g, v = β₂v + (1-β₂)g²,
/// θ -= (lr/bc₁)·m/(√v/√bc₂ + eps); AMSGrad uses the running maximum of v. <c>weightDecay</c> adds wd·θ to the
/// gradient (L2), as in PyTorch; use <see cref="AdamW"/> for decoupled decay.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates Adam with PyTorch's defaults.</summary>
    public Adam(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        bool amsgrad = false) : base(lr, weightDecay)
    {
        Settings = new AdamSettings(Check(beta1, nameof(beta1)), Check(beta2, nameof(beta2)),
            double.IsFinite(eps) && eps >= 0 ? eps : throw new ArgumentOutOfRangeException(nameof(eps), eps, $"{GetType().Name}: eps must be finite and >= 0."),
            amsgrad);
    }

    /// <summary>β₁, β₂, eps, AMSGrad.</summary>
    public AdamSettings Settings { get; }

    private double Check(double beta, string name) => beta is >= 0 and < 1
        ? beta : throw new ArgumentOutOfRangeException(name, beta, $"{GetType().Name}: {name} must be in [0, 1).");

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly AdamSettings _settings;
        private readonly Tensor<T>[] _expAvg, _expAvgSq;
        private readonly Tensor<T>[]? _maxExpAvgSq;

        public State(Network<T> network, Adam optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            _expAvg = AddState("exp_avg");
            _expAvgSq = AddState("exp_avg_sq");
            if (_settings.Amsgrad) _maxExpAvgSq = AddState("max_exp_avg_sq");
        }

        protected override void Update(int group, UpdateStep step) =>
            Network.Backend.AdamUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expAvgSq[group],
                _maxExpAvgSq?[group], _settings, step);
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019), PyTorch <c>torch.optim.AdamW</c>: θ *= 1 - lr·wd, then the Adam step.
/// Default weight decay 1e-2, applied to weights only.
/// </summary>
public sealed class AdamW(double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2,
    bool amsgrad = false) : Adam(lr, beta1, beta2, eps, weightDecay, amsgrad)
{
    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
