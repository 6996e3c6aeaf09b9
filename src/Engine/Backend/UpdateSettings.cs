namespace CudaNet;

/// <summary>
/// What every fused optimizer update needs besides its own hyperparameters: the learning rate of this step
/// (from the schedule), the 1-based step count after increment (PyTorch's <c>state['step']</c>) and the
/// penalties folded into the update.
/// </summary>
/// <remarks>
/// The gradient the update uses is <c>g' = g + L1·sign(w) + L2·w</c> (PyTorch's coupled <c>weight_decay</c> is
/// <c>L2</c>). Decoupled weight decay (AdamW) multiplies <c>w *= 1 - lr·WeightDecay</c> before the update, after
/// <c>g'</c> has been formed from the old weights.
/// </remarks>
/// <param name="LearningRate">lr for this step, &gt;= 0.</param>
/// <param name="Step">Number of updates including this one (1 on the first step).</param>
/// <param name="L1">L1 penalty λ₁ (adds λ₁·sign(w)), &gt;= 0.</param>
/// <param name="L2">L2 penalty λ₂ (adds λ₂·w), &gt;= 0.</param>
/// <param name="WeightDecay">Decoupled weight decay, &gt;= 0.</param>
public readonly record struct UpdateStep(double LearningRate, long Step, double L1 = 0, double L2 = 0, double WeightDecay = 0);

/// <summary>SGD: <c>b = μ·b + (1-τ)·g</c> (b = g on the first step), Nesterov uses <c>g + μ·b</c>,
/// <c>w -= lr·update</c>. PyTorch defaults.</summary>
public readonly record struct SgdSettings(double Momentum = 0, double Dampening = 0, bool Nesterov = false);

/// <summary>Adagrad: <c>s += g²</c>, <c>w -= lr/(1 + (t-1)·lrDecay) · g/(√s + eps)</c>. PyTorch defaults.</summary>
public readonly record struct AdagradSettings(double LrDecay = 0, double Eps = 1e-10)
{
    /// <summary>PyTorch's defaults (a bare <c>new()</c> of a record struct would otherwise zero every field).</summary>
    public AdagradSettings() : this(LrDecay: 0) { }
}

/// <summary>Adadelta: <c>v = ρv + (1-ρ)g²</c>, <c>Δ = √(u+eps)/√(v+eps)·g</c>, <c>u = ρu + (1-ρ)Δ²</c>,
/// <c>w -= lr·Δ</c>. PyTorch defaults.</summary>
public readonly record struct AdadeltaSettings(double Rho = 0.9, double Eps = 1e-6)
{
    /// <summary>PyTorch's defaults (a bare <c>new()</c> of a record struct would otherwise zero every field).</summary>
    public AdadeltaSettings() : this(Rho: 0.9) { }
}

/// <summary>RMSprop: <c>v = αv + (1-α)g²</c>; centered subtracts the square of <c>ḡ = αḡ + (1-α)g</c>;
/// <c>d = √v + eps</c> (eps outside the root); with momentum <c>b = μb + g/d</c>, <c>w -= lr·b</c>, else
/// <c>w -= lr·g/d</c>. <see cref="Nesterov"/> (the course's RMSProp with Nesterov momentum, in the form PyTorch
/// uses for SGD) steps with <c>μb + g/d</c> instead of <c>b</c>. PyTorch defaults.</summary>
public readonly record struct RmsPropSettings(
    double Alpha = 0.99, double Eps = 1e-8, double Momentum = 0, bool Centered = false, bool Nesterov = false)
{
    /// <summary>PyTorch's defaults (a bare <c>new()</c> of a record struct would otherwise zero every field).</summary>
    public RmsPropSettings() : this(Alpha: 0.99) { }
}

/// <summary>Adam/AMSGrad: <c>m = β₁m + (1-β₁)g</c>, <c>v = β₂v + (1-β₂)g²</c>, AMSGrad keeps
/// <c>v̂ = max(v̂, v)</c>; <c>w -= (lr/bc₁)·m/(√v/√bc₂ + eps)</c>. AdamW is this plus
/// <see cref="UpdateStep.WeightDecay"/>. PyTorch defaults.</summary>
public readonly record struct AdamSettings(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, bool Amsgrad = false)
{
    /// <summary>PyTorch's defaults (a bare <c>new()</c> of a record struct would otherwise zero every field).</summary>
    public AdamSettings() : this(Beta1: 0.9) { }
}

/// <summary>Adamax: <c>m = β₁m + (1-β₁)g</c>, <c>u = max(β₂u, |g| + eps)</c>, <c>w -= (lr/bc₁)·m/u</c>.
/// PyTorch defaults (lr 2e-3 belongs to the optimizer).</summary>
public readonly record struct AdamaxSettings(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8)
{
    /// <summary>PyTorch's defaults (a bare <c>new()</c> of a record struct would otherwise zero every field).</summary>
    public AdamaxSettings() : this(Beta1: 0.9) { }
}

/// <summary>NAdam (PyTorch 1.13): <c>μ_t = β₁(1 - ½·0.96^(tψ))</c>, Adam moments, and
/// <c>w -= lr(1-μ_t)/(1-Πμ)·g/d + lr·μ_{t+1}/(1-Πμ·μ_{t+1})·m/d</c> with <c>d = √(v/bc₂) + eps</c>, ψ the
/// momentum decay. PyTorch defaults. This is what PyTorch 1.13 computes with <c>foreach=True</c> (and every
/// later version); 1.13's single-tensor path counts μ_t twice in the second term, a bug fixed upstream.</summary>
public readonly record struct NadamSettings(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-8, double MomentumDecay = 4e-3)
{
    /// <summary>PyTorch's defaults (a bare <c>new()</c> of a record struct would otherwise zero every field).</summary>
    public NadamSettings() : this(Beta1: 0.9) { }

    /// <summary>μ_t = β₁·(1 - ½·0.96^(t·ψ)).</summary>
    public double Mu(long step) => Beta1 * (1.0 - 0.5 * Math.Pow(0.96, step * MomentumDecay));

    /// <summary>Π_{i=1..t} μ_i, the product the optimizer carries from step to step.</summary>
    public double MuProduct(long step)
    {
        double product = 1;
        for (long i = 1; i <= step; i++) product *= Mu(i);
        return product;
    }
}
