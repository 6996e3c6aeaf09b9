using System.Numerics;

namespace CudaNet;

/// <summary>
/// NAdam (Dozat, 2016), PyTorch <c>torch.optim.NAdam</c>: Adam's moments with the momentum schedule
/// μ_t = β₁(1 - ½·0.96^(tψ)) and θ -= lr(1-μ_t)/(1-Πμ)·g/d + lr·μ_{t+1}/(1-Πμ·μ_{t+1})·m/d, d = √(v/bc₂) + eps
/// (see <see cref="NadamSettings"/>). <c>weightDecay</c> adds wd·θ to the gradient.
/// </summary>
/// <remarks>
/// The product Πμ is carried from step to step as the scalar state "mu_product" (with "mu_product_step", the step it
/// belongs to), so a resumed run continues with exactly the value it saved.
/// </remarks>
public sealed class NAdam : Optimizer
{
    /// <summary>Creates NAdam with PyTorch's defaults.</summary>
    public NAdam(double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0,
        double momentumDecay = 4e-3) : base(lr, weightDecay)
    {
        if (beta1 is not (>= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "NAdam: beta1 must be in [0, 1).");
        if (beta2 is not (>= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "NAdam: beta2 must be in [0, 1).");
        if (!double.IsFinite(eps) || eps < 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "NAdam: eps must be finite and >= 0.");
        if (!double.IsFinite(momentumDecay) || momentumDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(momentumDecay), momentumDecay, "NAdam: momentumDecay must be finite and >= 0.");
        Settings = new NadamSettings(beta1, beta2, eps, momentumDecay);
    }

    /// <summary>β₁, β₂, eps, momentum decay ψ.</summary>
    public NadamSettings Settings { get; }

    /// <inheritdoc/>
    public override OptimizerState<T> CreateState<T>(Network<T> network) => new State<T>(network, this);

    private sealed class State<T> : OptimizerState<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const string ProductName = "mu_product", ProductStepName = "mu_product_step";
        private readonly NadamSettings _settings;
        private readonly Tensor<T>[] _expAvg, _expAvgSq;
        private double _muProduct = 1;
        private long _productStep;

        public State(Network<T> network, NAdam optimizer) : base(network, optimizer)
        {
            _settings = optimizer.Settings;
            _expAvg = AddState("exp_avg");
            _expAvgSq = AddState("exp_avg_sq");
        }

        public override IReadOnlyDictionary<string, double> Scalars =>
            new Dictionary<string, double> { [ProductName] = _muProduct, [ProductStepName] = _productStep };

        public override void SetScalar(string name, double value)
        {
            switch (name)
            {
                case ProductName when value is > 0 and <= 1:
                    _muProduct = value;
                    break;
                case ProductStepName when value >= 0 && value <= long.MaxValue && value == Math.Floor(value):
                    _productStep = (long)value;
                    break;
                case ProductName or ProductStepName:
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"NAdam: '{name}' cannot be {value}.");
                default:
                    base.SetScalar(name, value);
                    break;
            }
        }

        protected override void Update(int group, UpdateStep step)
        {
            // Every group of one step shares the product; it advances once, on the step's first group.
            if (step.Step == _productStep + 1) _muProduct *= _settings.Mu(step.Step);
            else if (step.Step != _productStep) _muProduct = _settings.MuProduct(step.Step);
            _productStep = step.Step;
            Network.Backend.NadamUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expAvgSq[group],
                _settings, step, _muProduct);
        }

        protected override void Update(int group, StepControl<T> control) =>
            Network.Backend.NadamUpdate(Groups[group].Parameters, Groups[group].Gradients, _expAvg[group], _expAvgSq[group], control, group);

        protected override object UpdateSettings => _settings;

        // A device epoch after `step` applied steps multiplies μ_t into the product it starts from, as the host-scalar
        // Update does to the product of step t - 1; a product of another step is recomputed as MuProduct(step), whose
        // loop gives the same bits as the incremental products (what Update's own recomputation relies on too).
        internal override double ProductAt(long step) => _productStep == step ? _muProduct : _settings.MuProduct(step);

        internal override void SetProduct(double product, long step) => (_muProduct, _productStep) = (product, step);
    }
}
