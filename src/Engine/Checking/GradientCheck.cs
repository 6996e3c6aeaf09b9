namespace CudaNet;

/// <summary>The outcome of a gradient check: pass/fail and the worst element.</summary>
/// <param name="Passed">Every element satisfied |analytic - numeric| ≤ atol + rtol·|numeric|.</param>
/// <param name="WorstIndex">Index of the element with the largest excess over its bound (-1 when empty).</param>
/// <param name="Analytic">Analytic gradient at that element.</param>
/// <param name="Numeric">Central-difference gradient at that element.</param>
/// <param name="AbsoluteError">|analytic - numeric| there.</param>
/// <param name="Allowed">atol + rtol·|numeric| there.</param>
/// <param name="Elements">How many elements were checked.</param>
public sealed record GradientCheckResult(bool Passed, int WorstIndex, double Analytic, double Numeric,
    double AbsoluteError, double Allowed, int Elements)
{
    /// <inheritdoc/>
    public override string ToString() => Elements == 0 ? "no elements" :
        $"{(Passed ? "ok" : "FAILED")}: worst element {WorstIndex} analytic {Analytic:G10} numeric {Numeric:G10} " +
        $"|diff| {AbsoluteError:G3} allowed {Allowed:G3} ({Elements} elements)";
}

/// <summary>
/// Float64 central-difference gradient checking with PyTorch's <c>gradcheck</c> defaults (eps 1e-6, atol 1e-5,
/// rtol 1e-3): numeric[i] = (f(x + eps·eᵢ) - f(x - eps·eᵢ)) / 2eps, compared with the analytic gradient.
/// Use it to check a layer of your own: make f a scalar (e.g. Σ output ⊙ r for a fixed random r, whose analytic
/// gradient is the backward pass with dy = r).
/// </summary>
public static class GradientCheck
{
    /// <summary>PyTorch's default perturbation.</summary>
    public const double DefaultEps = 1e-6;
    /// <summary>PyTorch's default absolute tolerance.</summary>
    public const double DefaultAtol = 1e-5;
    /// <summary>PyTorch's default relative tolerance.</summary>
    public const double DefaultRtol = 1e-3;

    /// <summary>
    /// Checks <paramref name="analytic"/> = ∂f/∂x at <paramref name="x"/>. <paramref name="x"/> is perturbed in
    /// place and restored exactly before returning.
    /// </summary>
    public static GradientCheckResult Check(Span<double> x, ReadOnlySpan<double> analytic, Func<double> f,
        double eps = DefaultEps, double atol = DefaultAtol, double rtol = DefaultRtol)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (analytic.Length != x.Length)
            throw new ArgumentException($"GradientCheck: argument 'analytic' has {analytic.Length} elements but 'x' has {x.Length}.", nameof(analytic));
        if (!(eps > 0) || !double.IsFinite(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "GradientCheck: eps must be finite and > 0.");
        if (!(atol >= 0) || !(rtol >= 0)) throw new ArgumentOutOfRangeException(nameof(atol), "GradientCheck: tolerances must be >= 0.");

        int worst = -1;
        double worstExcess = double.NegativeInfinity, worstNumeric = 0, worstError = 0, worstAllowed = 0;
        bool passed = true;
        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + eps;
            double plus = f();
            x[i] = saved - eps;
            double minus = f();
            x[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            double error = Math.Abs(analytic[i] - numeric);
            double allowed = atol + rtol * Math.Abs(numeric);
            double excess = double.IsNaN(error) ? double.PositiveInfinity : error - allowed;
            if (!(error <= allowed)) passed = false;
            if (excess > worstExcess)
            {
                (worst, worstExcess, worstNumeric, worstError, worstAllowed) = (i, excess, numeric, error, allowed);
            }
        }
        return new GradientCheckResult(passed, worst, worst >= 0 ? analytic[worst] : 0, worstNumeric, worstError,
            worstAllowed, x.Length);
    }
}
