using System.Numerics;

namespace CudaNet;

/// <summary>
/// Adagrad (Duchi et al., 2011), PyTorch <c>torch.optim.Adagrad</c>: s += g², θ -= lr/(1 + (t-1)·lrDecay) ·
/// g/(√s + eps), s starting at the initial accumulator value. <c>weightDecay</c> adds wd·θ to the gradient.
/// </summary>
/// <remarks>
/// With <see cref="OptimizerConvention.Keras"/> (see <see cref="Keras"/>) eps moves inside the root,
/// θ -= lr·g/√(s + eps): the state tensor "sum" then holds s + eps (it starts at the initial value plus eps), which
/// the PyTorch-form update with eps = 0 turns into exactly Keras' step. Weight decay is then decoupled.
/// </remarks>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates Adagrad with PyTorch's defaults.</summary>
    public Adagrad(double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10,
        OptimizerConvention convention = OptimizerConvention.PyTorch) : base(lr, weightDecay)
    {
        if (!double.IsFinite(lrDecay) || lrDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(lrDecay), lrDecay, "Adagrad: lrDecay must be finite and >= 0.");
        if (!double.IsFinite(initialAccumulatorValue) || initialAccumulatorValue < 0)
            throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue,
                "Adagrad: initialAccumulatorValue must be finite and >= 0.");
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Adagrad: eps must be finite and >= 0.");
        if (!Enum.IsDefined(convention))
            throw new ArgumentOutOfRangeException(nameof(convention), convention, "Adagrad: unknown convention.");
        (Settings, InitialAccumulatorValue, Convention) = (new AdagradSettings(lrDecay, eps), initialAccumulatorValue, convention);
    }

    /// <summary>Adagrad as Keras 3 defines it (<c>keras.optimizers.Adagrad</c>), with Keras' defaults.</summary>
    public static Adagrad Keras(double lr = 1e-3, double initialAccumulatorValue = 0.1, double eps = 1e-7, double weightDecay = 0) =>
        new(lr, 0, weightDecay, initialAccumulatorValue, eps, OptimizerConvention.Keras);

    /// <summary>lr decay and eps.</summary>
    public AdagradSettings Settings { get; }

    /// <summary>The value every accumulator starts from.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>PyTorch's or Keras' formula.</summary>
    public OptimizerConvention Convention { get; }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => Convention == OptimizerConvention.Keras;

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly AdagradSettings _settings;
        private readonly Tensor<T>[] _sum;

        public State(Network<T> network, Adagrad optimizer) : base(network, optimizer)
        {
            bool keras = optimizer.Convention == OptimizerConvention.Keras;
            _settings = keras ? optimizer.Settings with { Eps = 0 } : optimizer.Settings;
            _sum = AddState("sum", optimizer.InitialAccumulatorValue + (keras ? optimizer.Settings.Eps : 0));
        }

        protected override void Update(int group, UpdateStep step) =>
            Network.Backend.AdagradUpdate(Groups[group].Parameters, Groups[group].Gradients, _sum[group], _settings, step);

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.AdagradUpdate(Groups[group].Parameters, Groups[group].Gradients, _sum[group], control, group);

        protected override object UpdateSettings => _settings;
    }
}
