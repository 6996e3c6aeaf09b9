namespace CudaNet;

/// <summary>The pointwise non-linearities the backends implement (forward, backward and as GEMM epilogue).</summary>
public enum ActivationKind
{
    /// <summary>y = x.</summary>
    Identity,
    /// <summary>y = max(x, 0).</summary>
    ReLU,
    /// <summary>y = x for x &gt; 0, else α·x (PyTorch default α = 0.01).</summary>
    LeakyReLU,
    /// <summary>y = 1 / (1 + e^-x).</summary>
    Sigmoid,
    /// <summary>y = tanh(x).</summary>
    Tanh,
    /// <summary>y = x for x &gt; 0, else α·(e^x - 1) (PyTorch default α = 1).</summary>
    Elu,
    /// <summary>y = x·Φ(x) with PyTorch's <c>approximate='tanh'</c> form:
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    Gelu,
}

/// <summary>An activation and its parameter α (LeakyReLU slope, ELU scale; ignored by the others).</summary>
/// <param name="Kind">Which function.</param>
/// <param name="Alpha">Its parameter.</param>
public readonly record struct Activation(ActivationKind Kind, double Alpha = 0)
{
    /// <summary>y = x (the default: no epilogue).</summary>
    public static Activation Identity => new(ActivationKind.Identity);
    /// <summary>y = max(x, 0).</summary>
    public static Activation ReLU => new(ActivationKind.ReLU);
    /// <summary>y = 1 / (1 + e^-x).</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid);
    /// <summary>y = tanh(x).</summary>
    public static Activation Tanh => new(ActivationKind.Tanh);
    /// <summary>GELU, tanh approximation.</summary>
    public static Activation Gelu => new(ActivationKind.Gelu);
    /// <summary>LeakyReLU with negative slope <paramref name="slope"/>.</summary>
    public static Activation LeakyReLU(double slope = 0.01) => new(ActivationKind.LeakyReLU, slope);
    /// <summary>ELU with scale <paramref name="alpha"/>.</summary>
    public static Activation Elu(double alpha = 1.0) => new(ActivationKind.Elu, alpha);

    /// <inheritdoc/>
    public override string ToString() =>
        Kind is ActivationKind.LeakyReLU or ActivationKind.Elu ? $"{Kind}({Alpha})" : Kind.ToString();
}
