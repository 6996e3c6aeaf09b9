namespace CudaNet;

/// <summary>Non-linearities named by the gain table (PyTorch <c>torch.nn.init.calculate_gain</c>).</summary>
public enum Nonlinearity
{
    /// <summary>Gain 1 (also identity and sigmoid).</summary>
    Linear,
    /// <summary>Gain 1.</summary>
    Sigmoid,
    /// <summary>Gain 5/3.</summary>
    Tanh,
    /// <summary>Gain √2.</summary>
    ReLU,
    /// <summary>Gain √(2/(1 + a²)) for negative slope a.</summary>
    LeakyReLU,
    /// <summary>Gain 3/4.</summary>
    Selu,
}

/// <summary>The recommended gain for each non-linearity (PyTorch's table).</summary>
public static class Gain
{
    /// <summary>Gain of <paramref name="nonlinearity"/>; <paramref name="negativeSlope"/> is LeakyReLU's a.</summary>
    public static double For(Nonlinearity nonlinearity, double negativeSlope = 0.01) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3.0,
        Nonlinearity.ReLU => Math.Sqrt(2.0),
        Nonlinearity.LeakyReLU => double.IsFinite(negativeSlope)
            ? Math.Sqrt(2.0 / (1 + negativeSlope * negativeSlope))
            : throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "Gain: negative slope must be finite."),
        Nonlinearity.Selu => 0.75,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "Gain: unknown non-linearity."),
    };
}
