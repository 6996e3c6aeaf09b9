using System.Numerics;

namespace CudaNet;

/// <summary>
/// Layer normalisation over the features of each example, PyTorch <c>nn.LayerNorm(features)</c> with its elementwise
/// affine: y = γ·(x - μ_row)/√(σ²_row + eps) + β with the row's biased variance, the same in training and evaluation.
/// State-dict names: weight (γ, starts at 1), bias (β, starts at 0); neither is decayed.
/// </summary>
public sealed class LayerNorm : FeatureLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="features">F (&gt; 0), the normalised shape.</param>
    /// <param name="eps">Added to the variance (&gt; 0, PyTorch 1e-5).</param>
    public LayerNorm(int features, double eps = 1e-5)
        : base(features)
    {
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "LayerNorm: eps must be finite and > 0.");
        Eps = eps;
    }

    /// <summary>Variance epsilon.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context)
    {
        RequireInput(context.InputFeatures, Features);
        return new FeatureNormRuntime<T>(context, Features, groups: 0, Eps);
    }
}

/// <summary>
/// The runtime shared by <see cref="LayerNorm"/> (groups = 0) and <see cref="GroupNorm"/>: γ and β per feature,
/// per-row (or per-row-and-group) statistics saved by the forward pass for the backward pass.
/// </summary>
internal sealed class FeatureNormRuntime<T> : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IBackend<T> _backend;
    private readonly int _groups;
    private readonly double _eps;
    private readonly Parameter<T> _gamma, _beta;
    private readonly RowScratch<T> _savedMean, _savedInvStd, _inputGradient;

    public FeatureNormRuntime(LayerContext<T> context, int features, int groups, double eps)
    {
        (_backend, _groups, _eps, OutputFeatures) = (context.Backend, groups, eps, features);
        _gamma = context.AddParameter("weight", [features], ParameterRole.Normalization, Initializer.Ones, features, features);
        _beta = context.AddParameter("bias", [features], ParameterRole.Normalization, Initializer.Zeros, features, features);
        int statsPerRow = Math.Max(groups, 1);
        _savedMean = new RowScratch<T>(_backend, statsPerRow);
        _savedInvStd = new RowScratch<T>(_backend, statsPerRow);
        // The fused backward always writes dx; only the model's first layer is called without one.
        _inputGradient = new RowScratch<T>(_backend, features);
        IsFirst = context.Index == 0;
    }

    private bool IsFirst { get; }

    public override int OutputFeatures { get; }

    public override void Reserve(int maxRows)
    {
        _savedMean.Reserve(maxRows);
        _savedInvStd.Reserve(maxRows);
        if (IsFirst) _inputGradient.Reserve(maxRows);
    }

    public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
    {
        var (mean, invStd) = Statistics(x.Rows);
        if (_groups == 0) _backend.LayerNormForward(y, mean, invStd, x, _gamma.Value, _beta.Value, _eps);
        else _backend.GroupNormForward(y, mean, invStd, x, _gamma.Value, _beta.Value, _groups, _eps);
    }

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
    {
        var (mean, invStd) = Statistics(x.Rows);
        dx ??= _inputGradient.Rows(x.Rows);
        if (_groups == 0) _backend.LayerNormBackward(dx, _gamma.Gradient, _beta.Gradient, dy, x, _gamma.Value, mean, invStd);
        else _backend.GroupNormBackward(dx, _gamma.Gradient, _beta.Gradient, dy, x, _gamma.Value, mean, invStd, _groups);
    }

    /// <summary>N (LayerNorm) or N·G (GroupNorm) saved statistics; the backend only checks their count.</summary>
    private (Tensor<T> Mean, Tensor<T> InvStd) Statistics(int rows) => (_savedMean.Rows(rows), _savedInvStd.Rows(rows));

    protected override void Dispose(bool disposing)
    {
        _savedMean.Dispose();
        _savedInvStd.Dispose();
        _inputGradient.Dispose();
    }
}
