using System.Numerics;

namespace CudaNet;

/// <summary>
/// Group normalisation, PyTorch <c>nn.GroupNorm(groups, features)</c> on (N, C) batches: the features of each
/// example are split into <see cref="Groups"/> contiguous groups of C/G, each normalised with its own mean and
/// biased variance, then scaled and shifted per feature: y = γ·x̂ + β. The same in training and evaluation.
/// State-dict names: weight (γ, starts at 1), bias (β, starts at 0); neither is decayed.
/// </summary>
public sealed class GroupNorm : FeatureLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="groups">G (&gt; 0), dividing <paramref name="features"/>.</param>
    /// <param name="features">C (&gt; 0).</param>
    /// <param name="eps">Added to the variance (&gt; 0, PyTorch 1e-5).</param>
    public GroupNorm(int groups, int features, double eps = 1e-5)
        : base(features)
    {
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "GroupNorm: groups must be >= 1.");
        if (features % groups != 0)
            throw new ArgumentException($"GroupNorm: features ({features}) must be divisible by groups ({groups}).", nameof(groups));
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "GroupNorm: eps must be finite and > 0.");
        (Groups, Eps) = (groups, eps);
    }

    /// <summary>G.</summary>
    public int Groups { get; }
    /// <summary>Variance epsilon.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context)
    {
        RequireInput(context.InputFeatures, Features);
        return new FeatureNormRuntime<T>(context, Features, Groups, Eps);
    }
}
