using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// The penalties of <see cref="UpdateStep"/> against hand-computed closed forms (PyTorch has no L1 and no decoupled
/// decay outside AdamW): <c>g' = g + L1·sign(w) + L2·w</c> from the old weights, then <c>w *= 1 - lr·wd</c>, then the
/// update.
/// </summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class PenaltyTests(CpuKernels kernels)
{
    private const double Rtol = 1e-14, Atol = 1e-16;

    // Nine copies of (0.5, -2, 0) so the SIMD kernel uses its vector loop and its tail.
    private static double[] Nine(params double[] values) => Enumerable.Repeat(values, 9).SelectMany(v => v).ToArray();

    private double[] SgdStep(double[] w, double[] g, UpdateStep step)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var parameters = backend.FromArray(Nine(w));
        using var gradients = backend.FromArray(Nine(g));
        backend.SgdUpdate(parameters, gradients, null, new SgdSettings(Momentum: 0), step);
        return backend.ToArray(parameters);
    }

    [Test]
    public void L1AddsLambdaTimesSignAndNothingAtZero()
    {
        // g' = (0.1 + 0.01, 0.2 - 0.01, -0.3 + 0) and w -= 0.1·g'.
        var result = SgdStep([0.5, -2, 0], [0.1, 0.2, -0.3], new UpdateStep(0.1, 1, L1: 0.01));
        Close.All<double>(result, Nine(0.489, -2.019, 0.03), Rtol, Atol, "SGD with L1");
    }

    [Test]
    public void ElasticNetAndDecoupledDecayUseTheOldWeights()
    {
        // g' = g + 0.01·sign(w) + 0.02·w = (0.12, 0.15, -0.3); w = 0.95·w - 0.1·g' = (0.463, -1.915, 0.03).
        var result = SgdStep([0.5, -2, 0], [0.1, 0.2, -0.3], new UpdateStep(0.1, 1, L1: 0.01, L2: 0.02, WeightDecay: 0.5));
        Close.All<double>(result, Nine(0.463, -1.915, 0.03), Rtol, Atol, "SGD with L1, L2 and decay");
    }

    [Test]
    public void L1DrivesTheFirstAdamStep()
    {
        // Step 1 of Adam moves by lr·g'/(|g'| + eps·…): g = -0.005 and L1 = 0.01 give g' = +0.005 at w = 0.5, so
        // the weight goes down although the raw gradient says up; at w = 0, g' = g.
        using var backend = new CpuBackend<double>(kernels);
        using var parameters = backend.FromArray(Nine(0.5, -2, 0));
        using var gradients = backend.FromArray(Nine(-0.005, 0.004, 0.002));
        using var m = backend.FromArray(new double[27]);
        using var v = backend.FromArray(new double[27]);
        backend.AdamUpdate(parameters, gradients, m, v, null, new AdamSettings(Amsgrad: false), new UpdateStep(1e-3, 1, L1: 0.01));
        // g' = (0.005, 0.004 - 0.01, 0.002); m/bc₁ = g', √(v/bc₂) = |g'|: w -= lr·g'/(|g'| + 1e-8).
        double[] g = [0.005, -0.006, 0.002];
        double[] expected = [0.5 - 1e-3 * g[0] / (0.005 + 1e-8), -2 - 1e-3 * g[1] / (0.006 + 1e-8), -1e-3 * g[2] / (0.002 + 1e-8)];
        Close.All<double>(backend.ToArray(parameters), Nine(expected), 1e-12, 1e-16, "Adam with L1");
    }
}
