using System.Numerics;

namespace CudaNet;

/// <summary>
/// Adadelta (Zeiler, 2012), PyTorch <c>torch.optim.Adadelta</c>: v = ρv + (1-ρ)g², Δ = √(u+eps)/√(v+eps)·g,
/// u = ρu + (1-ρ)Δ², θ -= lr·Δ. <c>weightDecay</c> adds wd·θ to the gradient.
/// </summary>
/// <remarks>
/// Keras 3 computes the same update; <see cref="Keras"/> gives its defaults (lr 1e-3, ρ 0.95, eps 1e-7) and its
/// decoupled weight decay.
/// </remarks>
public sealed class Adadelta : Optimizer
{
    /// <summary>Creates Adadelta with PyTorch's defaults.</summary>
    public Adadelta(double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0,
        OptimizerConvention convention = OptimizerConvention.PyTorch) : base(lr, weightDecay)
    {
        if (rho is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "Adadelta: rho must be in [0, 1].");
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Adadelta: eps must be finite and >= 0.");
        if (!Enum.IsDefined(convention))
            throw new ArgumentOutOfRangeException(nameof(convention), convention, "Adadelta: unknown convention.");
        (Settings, Convention) = (new AdadeltaSettings(rho, eps), convention);
    }

    /// <summary>Adadelta as Keras 3 defines it (<c>keras.optimizers.Adadelta</c>), with Keras' defaults.</summary>
    public static Adadelta Keras(double lr = 1e-3, double rho = 0.95, double eps = 1e-7, double weightDecay = 0) =>
        new(lr, rho, eps, weightDecay, OptimizerConvention.Keras);

    /// <summary>ρ and eps.</summary>
    public AdadeltaSettings Settings { get; }

    /// <summary>PyTorch's or Keras' weight decay (the update itself is the same).</summary>
    public OptimizerConvention Convention { get; }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => Convention == OptimizerConvention.Keras;

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly AdadeltaSettings _settings;
        private readonly Tensor<T>[] _squareAvg, _accDelta;

        public State(Network<T> network, Adadelta optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            _squareAvg = AddState("square_avg");
            _accDelta = AddState("acc_delta");
        }

        protected override void Update(int group, UpdateStep step) =>
            Network.Backend.AdadeltaUpdate(Groups[group].Parameters, Groups[group].Gradients, _squareAvg[group], _accDelta[group],
                _settings, step);

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.AdadeltaUpdate(Groups[group].Parameters, Groups[group].Gradients, _squareAvg[group], _accDelta[group],
                control, group);

        protected override object UpdateSettings => _settings;
    }
}
