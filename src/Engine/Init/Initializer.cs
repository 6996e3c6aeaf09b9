namespace CudaNet;

/// <summary>Which fan a variance-scaling initialiser divides by.</summary>
public enum FanMode
{
    /// <summary>Inputs per unit (preserves the forward variance).</summary>
    FanIn,
    /// <summary>Outputs per unit (preserves the backward variance).</summary>
    FanOut,
}

/// <summary>
/// Fills a parameter from its fans (for a weight [out, in]: fan_in = in, fan_out = out). Formulas and defaults
/// are PyTorch's <c>torch.nn.init</c>; <see cref="Sample"/> is deterministic for a given <see cref="HostRandom"/>.
/// </summary>
public abstract record Initializer
{
    /// <summary>Writes the initial values of a parameter with the given fans.</summary>
    public abstract void Sample(Span<double> values, int fanIn, int fanOut, HostRandom random);

    /// <summary>All zeros.</summary>
    public static Initializer Zeros { get; } = new ConstantInit(0);
    /// <summary>All ones.</summary>
    public static Initializer Ones { get; } = new ConstantInit(1);
    /// <summary>Every value <paramref name="value"/>.</summary>
    public static Initializer Constant(double value) => new ConstantInit(Finite(value, nameof(value)));
    /// <summary>U(lo, hi).</summary>
    public static Initializer Uniform(double lo = 0, double hi = 1) =>
        Finite(lo, nameof(lo)) <= Finite(hi, nameof(hi)) ? new UniformInit(lo, hi)
            : throw new ArgumentOutOfRangeException(nameof(hi), hi, $"Initializer.Uniform: hi must be >= lo ({lo}).");
    /// <summary>N(mean, std²).</summary>
    public static Initializer Normal(double mean = 0, double std = 1) => new NormalInit(Finite(mean, nameof(mean)), NonNegative(std, nameof(std)));
    /// <summary>Glorot/Xavier uniform: U(-a, a), a = gain·√(6/(fan_in + fan_out)).</summary>
    public static Initializer XavierUniform(double gain = 1) => new ScaledInit(IsUniform: true, NonNegative(gain, nameof(gain)), FanKind.Average);
    /// <summary>Glorot/Xavier normal: N(0, σ²), σ = gain·√(2/(fan_in + fan_out)).</summary>
    public static Initializer XavierNormal(double gain = 1) => new ScaledInit(IsUniform: false, NonNegative(gain, nameof(gain)), FanKind.Average);
    /// <summary>He/Kaiming uniform: U(-b, b), b = gain·√(3/fan) with gain from <see cref="Gain"/>.</summary>
    public static Initializer KaimingUniform(double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyReLU) =>
        new ScaledInit(IsUniform: true, Gain.For(nonlinearity, a), ToFan(mode));
    /// <summary>He/Kaiming normal: N(0, σ²), σ = gain/√fan.</summary>
    public static Initializer KaimingNormal(double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyReLU) =>
        new ScaledInit(IsUniform: false, Gain.For(nonlinearity, a), ToFan(mode));
    /// <summary>LeCun uniform: U(-b, b), b = √(3/fan_in).</summary>
    public static Initializer LeCunUniform { get; } = new ScaledInit(IsUniform: true, 1, FanKind.In);
    /// <summary>LeCun normal: N(0, 1/fan_in) (not truncated).</summary>
    public static Initializer LeCunNormal { get; } = new ScaledInit(IsUniform: false, 1, FanKind.In);
    /// <summary>PyTorch's <c>nn.Linear</c> weight default, kaiming_uniform(a = √5): U(-1/√fan_in, 1/√fan_in).</summary>
    public static Initializer LinearWeightDefault { get; } = KaimingUniform(Math.Sqrt(5));
    /// <summary>PyTorch's <c>nn.Linear</c> bias default: U(-1/√fan_in, 1/√fan_in) with the weight's fan_in.</summary>
    public static Initializer LinearBiasDefault { get; } = new ScaledInit(IsUniform: true, Math.Sqrt(1.0 / 3.0), FanKind.In);

    private enum FanKind { In, Out, Average }

    private static FanKind ToFan(FanMode mode) => mode switch
    {
        FanMode.FanIn => FanKind.In,
        FanMode.FanOut => FanKind.Out,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Initializer: unknown fan mode."),
    };

    private static double Finite(double value, string name) =>
        double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"Initializer: {name} must be finite.");

    private static double NonNegative(double value, string name) =>
        Finite(value, name) >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"Initializer: {name} must be >= 0.");

    private sealed record ConstantInit(double Value) : Initializer
    {
        public override void Sample(Span<double> values, int fanIn, int fanOut, HostRandom random) => values.Fill(Value);
    }

    private sealed record UniformInit(double Lo, double Hi) : Initializer
    {
        public override void Sample(Span<double> values, int fanIn, int fanOut, HostRandom random)
        {
            for (int i = 0; i < values.Length; i++) values[i] = random.Uniform(Lo, Hi);
        }
    }

    private sealed record NormalInit(double Mean, double Std) : Initializer
    {
        public override void Sample(Span<double> values, int fanIn, int fanOut, HostRandom random)
        {
            for (int i = 0; i < values.Length; i++) values[i] = random.Normal(Mean, Std);
        }
    }

    /// <summary>Variance scaling: std = gain/√fan (Kaiming, LeCun) or gain·√(2/(in+out)) (Xavier); a uniform with
    /// the same variance has bound √3·std.</summary>
    private sealed record ScaledInit(bool IsUniform, double GainValue, FanKind Fan) : Initializer
    {
        public override void Sample(Span<double> values, int fanIn, int fanOut, HostRandom random)
        {
            if (fanIn <= 0 || fanOut <= 0)
                throw new ArgumentException($"Initializer: fans must be > 0 (fan_in {fanIn}, fan_out {fanOut}).");
            double std = Fan switch
            {
                FanKind.In => GainValue / Math.Sqrt(fanIn),
                FanKind.Out => GainValue / Math.Sqrt(fanOut),
                _ => GainValue * Math.Sqrt(2.0 / (fanIn + fanOut)),
            };
            double bound = Math.Sqrt(3.0) * std;
            for (int i = 0; i < values.Length; i++)
                values[i] = IsUniform ? random.Uniform(-bound, bound) : random.Normal(0, std);
        }
    }
}
