using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Normalization;

/// <summary>
/// Float64 central-difference checks (PyTorch gradcheck defaults) of every normalisation backward, on the reference
/// and SIMD backends. f = Σ y ⊙ r for a fixed random r, so the analytic gradient is the backward op with dy = r;
/// f always runs the full forward, so the statistics move with x as they do in training.
/// </summary>
[TestFixtureSource(typeof(NormRunner), nameof(NormRunner.DoubleBackends))]
public sealed class GradientTests(string backendName)
{
    private static void AssertPasses(GradientCheckResult result, string what) => Assert.That(result.Passed, Is.True, $"{what}: {result}");

    [Test]
    public void BatchNormTraining()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        const int rows = 5, features = 4;
        var x = TestData.Normal<double>(1, rows * features);
        var gamma = TestData.Uniform<double>(2, features, 0.5, 1.5);
        var beta = TestData.Uniform<double>(3, features);
        var r = TestData.Normal<double>(4, rows * features);
        double[] zeros = new double[features], ones = Enumerable.Repeat(1.0, features).ToArray();
        double F() => NormRunner.Dot(NormRunner.BatchNormTraining(backend, x, rows, features, gamma, beta, zeros, ones).Y, r);

        var forward = NormRunner.BatchNormTraining(backend, x, rows, features, gamma, beta, zeros, ones);
        var grads = NormRunner.BatchNormBackward(backend, r, x, rows, features, gamma, forward.SavedMean, forward.SavedInvStd);
        AssertPasses(GradientCheck.Check(x, grads.Dx, F), "dx");
        AssertPasses(GradientCheck.Check(gamma, grads.DGamma, F), "dgamma");
        AssertPasses(GradientCheck.Check(beta, grads.DBeta, F), "dbeta");
    }

    [TestCase(null, 4, 7)]
    [TestCase(2, 3, 8)]
    [TestCase(4, 3, 8)]
    [TestCase(3, 2, 3)]
    public void LayerAndGroupNorm(int? groups, int rows, int features)
    {
        using var backend = NormRunner.CreateDouble(backendName);
        var x = TestData.Normal<double>(5, rows * features);
        var gamma = TestData.Uniform<double>(6, features, 0.5, 1.5);
        var beta = TestData.Uniform<double>(7, features);
        var r = TestData.Normal<double>(8, rows * features);
        double F() => NormRunner.Dot(NormRunner.GroupNorm(backend, x, rows, features, gamma, beta, groups).Y, r);

        var forward = NormRunner.GroupNorm(backend, x, rows, features, gamma, beta, groups);
        var grads = NormRunner.GroupNormBackward(backend, r, x, rows, features, gamma, forward.SavedMean, forward.SavedInvStd, groups);
        AssertPasses(GradientCheck.Check(x, grads.Dx, F), "dx");
        AssertPasses(GradientCheck.Check(gamma, grads.DGamma, F), "dgamma");
        AssertPasses(GradientCheck.Check(beta, grads.DBeta, F), "dbeta");
    }
}
