using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Layers;

/// <summary>
/// DropConnect's moment-matching inference: its output estimates E[act(u)], u ~ N(μ, σ²) (Wan et al. 2013), from
/// <c>samples</c> Gaussian draws. Checked against the closed form of E[ReLU(u)] and against Monte-Carlo averaging of
/// the layer's own training outputs over fresh Bernoulli weight masks, each within a stated statistical bound.
/// </summary>
public sealed class MomentMatchingTests
{
    private const int Inputs = 64, Outputs = 6, Rows = 3, Samples = 4000;
    private const double P = 0.5;

    private static (LayerHarness<double> Harness, double[] X, double[] Mu, double[] Sigma) SetUp(CpuBackend<double> backend,
        Activation activation)
    {
        var h = new LayerHarness<double>(backend,
            new DropConnect(Inputs, Outputs, P, DropConnectInference.MomentMatching, Samples, activation), Inputs, seed: 11);
        var random = new Random(3);
        var x = Enumerable.Range(0, Rows * Inputs).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var (w, b) = (h.Value("weight"), h.Value("bias"));
        var (mu, sigma) = (new double[Rows * Outputs], new double[Rows * Outputs]);
        for (int n = 0; n < Rows; n++)
            for (int o = 0; o < Outputs; o++)
            {
                double mean = 0, variance = 0;
                for (int i = 0; i < Inputs; i++)
                {
                    double wv = w[o * Inputs + i] * x[n * Inputs + i];
                    (mean, variance) = (mean + wv, variance + wv * wv);
                }
                mu[n * Outputs + o] = (1 - P) * mean + b[o];
                sigma[n * Outputs + o] = Math.Sqrt(P * (1 - P) * variance);
            }
        return (h, x, mu, sigma);
    }

    /// <summary>E[ReLU(u)] and Var[ReLU(u)] for u ~ N(μ, σ²).</summary>
    private static (double Mean, double Variance) ReluMoments(double mu, double sigma)
    {
        double a = mu / sigma, cdf = NormalCdf(a), pdf = Math.Exp(-a * a / 2) / Math.Sqrt(2 * Math.PI);
        double mean = mu * cdf + sigma * pdf;
        double second = (mu * mu + sigma * sigma) * cdf + mu * sigma * pdf;
        return (mean, second - mean * mean);
    }

    /// <summary>Φ(x) via Numerical Recipes' erfc (fractional error &lt; 1.2e-7, far below the bounds used here).</summary>
    private static double NormalCdf(double x)
    {
        double z = Math.Abs(x) / Math.Sqrt(2), t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    [TestCaseSource(typeof(Backends), nameof(Backends.Kernels))]
    public void MatchesTheClosedFormGaussianExpectation(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        var (h, x, mu, sigma) = SetUp(backend, Activation.ReLU);
        using var _ = h;
        var y = h.Forward(x, training: false);
        Assert.That(h.Forward(x, training: false), Is.EqualTo(y), "evaluation is deterministic");
        for (int k = 0; k < y.Length; k++)
        {
            var (mean, variance) = ReluMoments(mu[k], sigma[k]);
            // The output is a mean of S independent draws: 5 standard errors.
            Assert.That(y[k], Is.EqualTo(mean).Within(5 * Math.Sqrt(variance / Samples) + 1e-12), $"unit {k}");
        }
    }

    [Test]
    public void IdentityActivationEstimatesTheMean()
    {
        using var backend = new CpuBackend<double>();
        var (h, x, mu, sigma) = SetUp(backend, Activation.Identity);
        using var _ = h;
        var y = h.Forward(x, training: false);
        for (int k = 0; k < y.Length; k++)
            Assert.That(y[k], Is.EqualTo(mu[k]).Within(5 * sigma[k] / Math.Sqrt(Samples)), $"unit {k}");
    }

    [Test]
    public void AgreesWithMonteCarloOverBernoulliMasks()
    {
        using var backend = new CpuBackend<double>();
        var (h, x, mu, sigma) = SetUp(backend, Activation.ReLU);
        using var _ = h;
        var matched = h.Forward(x, training: false);
        const int masks = 4000;
        var average = new double[matched.Length];
        for (int m = 0; m < masks; m++)
        {
            var y = h.Forward(x, training: true);
            for (int k = 0; k < y.Length; k++) average[k] += y[k] / masks;
        }
        for (int k = 0; k < matched.Length; k++)
        {
            // 5 standard errors of the two estimates, plus 3% of σ for the Gaussian approximation of a sum of 64
            // Bernoulli-weighted terms (the CLT error of E[ReLU] is of that order at this fan-in).
            double variance = ReluMoments(mu[k], sigma[k]).Variance;
            double bound = 5 * Math.Sqrt(variance / Samples + variance / masks) + 0.03 * sigma[k];
            Assert.That(matched[k], Is.EqualTo(average[k]).Within(bound), $"unit {k}");
        }
    }
}
