namespace CudaNet;

/// <summary>
/// Penalties added to a layer's loss and so to its gradient: λ₁·Σ|w| adds λ₁·sign(w), (λ₂/2)·Σw² adds λ₂·w
/// (PyTorch's <c>weight_decay</c> convention, so <c>L2(λ)</c> equals SGD's <c>weight_decay=λ</c>). Elastic net is
/// both. Applies to weights only unless <see cref="IncludeBiases"/>.
/// </summary>
/// <param name="L1">λ₁ ≥ 0.</param>
/// <param name="L2">λ₂ ≥ 0.</param>
/// <param name="IncludeBiases">Also penalise the layer's bias.</param>
public sealed record Regularizer(double L1, double L2, bool IncludeBiases = false)
{
    /// <summary>Validates the coefficients.</summary>
    public double L1 { get; } = double.IsFinite(L1) && L1 >= 0 ? L1
        : throw new ArgumentOutOfRangeException(nameof(L1), L1, "Regularizer: L1 must be finite and >= 0.");

    /// <summary>Validates the coefficients.</summary>
    public double L2 { get; } = double.IsFinite(L2) && L2 >= 0 ? L2
        : throw new ArgumentOutOfRangeException(nameof(L2), L2, "Regularizer: L2 must be finite and >= 0.");

    /// <summary>λ₁·sign(w) only.</summary>
    public static Regularizer Lasso(double l1) => new(l1, 0);
    /// <summary>λ₂·w only.</summary>
    public static Regularizer Ridge(double l2) => new(0, l2);
    /// <summary>Both penalties.</summary>
    public static Regularizer ElasticNet(double l1, double l2) => new(l1, l2);
}
