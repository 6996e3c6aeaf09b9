using CudaNet.Tests.Support;
using NUnit.Framework;
using static CudaNet.Tests.Normalization.NormGolden;

namespace CudaNet.Tests.Normalization;

/// <summary>The float64 reference and SIMD backends against PyTorch 1.13 (tests/golden/normalization.py).</summary>
[TestFixtureSource(typeof(NormRunner), nameof(NormRunner.DoubleBackends))]
public sealed class GoldenTests(string backendName)
{
    private const double Rtol = 1e-12, Atol = 1e-14;

    private static void Same(double[] actual, double[] expected, string what) => Close.All<double>(actual, expected, Rtol, Atol, what);

    [Test]
    public void BatchNormTrainingMatchesPyTorch()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        var step1 = NormRunner.BatchNormTraining(backend, BnX, 4, 3, Gamma3, Beta3, [0, 0, 0], [1, 1, 1]);
        Same(step1.Y, BnY, "y");
        Same(step1.SavedMean, BnSavedMean, "saved mean");
        Same(step1.SavedInvStd, BnSavedInvStd, "saved inv std");
        Same(step1.RunningMean, BnRunningMean1, "running mean after one step");
        Same(step1.RunningVar, BnRunningVar1, "running var after one step");

        var step2 = NormRunner.BatchNormTraining(backend, BnX2, 4, 3, Gamma3, Beta3, step1.RunningMean, step1.RunningVar);
        Same(step2.RunningMean, BnRunningMean2, "running mean after two steps");
        Same(step2.RunningVar, BnRunningVar2, "running var after two steps");

        var inference = NormRunner.BatchNormInference(backend, BnX, 4, 3, Gamma3, Beta3, step2.RunningMean, step2.RunningVar);
        Same(inference, BnInference, "inference y");
    }

    [Test]
    public void BatchNormBackwardMatchesPyTorch()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        var grads = NormRunner.BatchNormBackward(backend, BnDy, BnX, 4, 3, Gamma3, BnSavedMean, BnSavedInvStd);
        Same(grads.Dx, BnDx, "dx");
        Same(grads.DGamma, BnDGamma, "dgamma");
        Same(grads.DBeta, BnDBeta, "dbeta");
    }

    [Test]
    public void LayerNormMatchesPyTorch()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        var forward = NormRunner.GroupNorm(backend, BnX, 4, 3, Gamma3, Beta3, groups: null);
        Same(forward.Y, LnY, "y");
        Same(forward.SavedMean, LnSavedMean, "saved mean");
        Same(forward.SavedInvStd, LnSavedInvStd, "saved inv std");

        var grads = NormRunner.GroupNormBackward(backend, BnDy, BnX, 4, 3, Gamma3, LnSavedMean, LnSavedInvStd, groups: null);
        Same(grads.Dx, LnDx, "dx");
        Same(grads.DGamma, LnDGamma, "dgamma");
        Same(grads.DBeta, LnDBeta, "dbeta");
    }

    [Test]
    public void GroupNormMatchesPyTorch()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        var forward = NormRunner.GroupNorm(backend, GnX, 4, 6, Gamma6, Beta6, groups: 2);
        Same(forward.Y, GnY, "y");
        Same(forward.SavedMean, GnSavedMean, "saved mean");
        Same(forward.SavedInvStd, GnSavedInvStd, "saved inv std");

        var grads = NormRunner.GroupNormBackward(backend, GnDy, GnX, 4, 6, Gamma6, GnSavedMean, GnSavedInvStd, groups: 2);
        Same(grads.Dx, GnDx, "dx");
        Same(grads.DGamma, GnDGamma, "dgamma");
        Same(grads.DBeta, GnDBeta, "dbeta");
    }

    [Test]
    public void BatchNormOnTwoRowsOfOneFeatureIsPlusMinusGammaPlusBeta()
    {
        // x = [a, b]: μ = (a+b)/2, biased σ² = ((a-b)/2)², so y = β ± γ·h/√(h² + eps) with h = |a-b|/2;
        // the unbiased variance N/(N-1)·σ² = 2h² feeds the running variance.
        using var backend = NormRunner.CreateDouble(backendName);
        const double a = 3.5, b = -0.5, gamma = 2, beta = 0.25, h = 2, eps = 1e-5;
        var result = NormRunner.BatchNormTraining(backend, [a, b], 2, 1, [gamma], [beta], [0], [1], momentum: 0.5);
        double scaled = gamma * h / Math.Sqrt(h * h + eps);
        Same(result.Y, [beta + scaled, beta - scaled], "y");
        Same(result.SavedMean, [1.5], "saved mean");
        Same(result.SavedInvStd, [1 / Math.Sqrt(h * h + eps)], "saved inv std");
        Same(result.RunningMean, [0.75], "running mean");
        Same(result.RunningVar, [0.5 + 0.5 * 2 * h * h], "running var");
    }
}
