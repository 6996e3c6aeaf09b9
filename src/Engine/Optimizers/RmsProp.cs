using System.Numerics;

namespace CudaNet;

/// <summary>
/// RMSprop (Hinton), PyTorch <c>torch.optim.RMSprop</c>: v = αv + (1-α)g², d = √v + eps (eps outside the root;
/// centered: d = √(v - ḡ²) + eps with ḡ = αḡ + (1-α)g); with momentum b = μb + g/d and θ -= lr·b, else
/// θ -= lr·g/d. <c>weightDecay</c> adds wd·θ to the gradient.
/// </summary>
/// <remarks>
/// <c>nesterov</c> is the course's RMSProp with Nesterov momentum, written the way PyTorch writes Nesterov SGD:
/// θ -= lr·(μb + g/d) with the updated b (see <see cref="RmsPropSettings"/>). PyTorch has no such option.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates RMSprop with PyTorch's defaults.</summary>
    public RmsProp(double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0,
        bool centered = false, bool nesterov = false) : base(lr, weightDecay)
    {
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "RmsProp: alpha must be finite and >= 0.");
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "RmsProp: eps must be finite and >= 0.");
        if (!double.IsFinite(momentum) || momentum < 0)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "RmsProp: momentum must be finite and >= 0.");
        if (nesterov && momentum <= 0) throw new ArgumentException("RmsProp: Nesterov momentum requires a momentum > 0.", nameof(nesterov));
        Settings = new RmsPropSettings(alpha, eps, momentum, centered, nesterov);
    }

    /// <summary>α, eps, momentum, centered, Nesterov.</summary>
    public RmsPropSettings Settings { get; }

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly RmsPropSettings _settings;
        private readonly Tensor<T>[] _squareAvg;
        private readonly Tensor<T>[]? _gradAvg, _momentum;

        public State(Network<T> network, RmsProp optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            _squareAvg = AddState("square_avg");
            if (_settings.Centered) _gradAvg = AddState("grad_avg");
            if (_settings.Momentum > 0) _momentum = AddState("momentum_buffer");
        }

        protected override void Update(int group, UpdateStep step) =>
            Network.Backend.RmsPropUpdate(Groups[group].Parameters, Groups[group].Gradients, _squareAvg[group], _gradAvg?[group],
                _momentum?[group], _settings, step);

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.RmsPropUpdate(Groups[group].Parameters, Groups[group].Gradients, _squareAvg[group], _gradAvg?[group],
                _momentum?[group], control, group);

        protected override object UpdateSettings => _settings;
    }
}
