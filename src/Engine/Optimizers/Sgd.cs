using System.Numerics;

namespace CudaNet;

/// <summary>
/// Stochastic gradient descent, PyTorch <c>torch.optim.SGD</c>: b = μb + (1-τ)g (b = g on the first step),
/// Nesterov steps with g + μb, θ -= lr·update. <c>weightDecay</c> adds wd·θ to the gradient.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates SGD; the learning rate is required, as in PyTorch.</summary>
    public Sgd(double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
        : base(lr, weightDecay)
    {
        if (!double.IsFinite(momentum) || momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Sgd: momentum must be finite and >= 0.");
        if (!double.IsFinite(dampening) || dampening < 0) throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "Sgd: dampening must be finite and >= 0.");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Sgd: Nesterov momentum requires a momentum > 0 and zero dampening.", nameof(nesterov));
        Settings = new SgdSettings(momentum, dampening, nesterov);
    }

    /// <summary>Momentum, dampening, Nesterov.</summary>
    public SgdSettings Settings { get; }

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly SgdSettings _settings;
        private readonly Tensor<T>[]? _momentum;

        public State(Network<T> network, Sgd optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            if (_settings.Momentum > 0) _momentum = AddState("momentum_buffer");
        }

        protected override void Update(int group, UpdateStep step) =>
            Network.Backend.SgdUpdate(Groups[group].Parameters, Groups[group].Gradients, _momentum?[group], _settings, step);

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.SgdUpdate(Groups[group].Parameters, Groups[group].Gradients, _momentum?[group], control, group);

        protected override object UpdateSettings => _settings;
    }
}
