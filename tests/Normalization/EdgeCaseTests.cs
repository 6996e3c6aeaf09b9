using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Normalization;

/// <summary>Constant features, tiny and empty batches, extreme values and NaN, on the float64 backends.</summary>
[TestFixtureSource(typeof(NormRunner), nameof(NormRunner.DoubleBackends))]
public sealed class EdgeCaseTests(string backendName)
{
    private const double Eps = 1e-5;

    [Test]
    public void BatchNormTrainingWithOneRowThrows()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        var forward = Assert.Throws<ArgumentException>(() =>
            NormRunner.BatchNormTraining(backend, [1.0, 2.0], 1, 2, [1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]));
        Assert.That(forward!.Message, Does.Contain("BatchNormForwardTraining: argument 'x' has 1 row(s)"));
        Assert.That(forward.ParamName, Is.EqualTo("x"));
        var backward = Assert.Throws<ArgumentException>(() =>
            NormRunner.BatchNormBackward(backend, [1.0, 2.0], [1.0, 2.0], 1, 2, [1.0, 1.0], [0.0, 0.0], [1.0, 1.0]));
        Assert.That(backward!.Message, Does.Contain("BatchNormBackward: argument 'x' has 1 row(s)"));
    }

    [Test]
    public void BatchNormConstantFeatureGivesBetaAndFiniteGradients()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        double[] x = [3.25, 1, 3.25, -2, 3.25, 0.5, 3.25, 4], gamma = [1.5, 2], beta = [-0.75, 0.5];
        var result = NormRunner.BatchNormTraining(backend, x, 4, 2, gamma, beta, [0.0, 0.0], [1.0, 1.0]);
        Assert.That(Column(result.Y, 2, 0), Is.EqualTo(new[] { -0.75, -0.75, -0.75, -0.75 }), "y = β exactly");
        Assert.That(result.SavedMean[0], Is.EqualTo(3.25));
        Assert.That(result.SavedInvStd[0], Is.EqualTo(1 / Math.Sqrt(Eps)).Within(1e-12).Percent);
        Assert.That(result.RunningMean[0], Is.EqualTo(0.325).Within(1e-15));
        Assert.That(result.RunningVar[0], Is.EqualTo(0.9).Within(1e-15), "unbiased variance 0 enters the running variance");

        double[] dy = [0.5, 1, -0.25, 2, 1, -1, 0.75, 0.5];
        var grads = NormRunner.BatchNormBackward(backend, dy, x, 4, 2, gamma, result.SavedMean, result.SavedInvStd);
        Assert.That(grads.DGamma[0], Is.EqualTo(0.0), "x̂ = 0 everywhere");
        Assert.That(grads.DBeta[0], Is.EqualTo(2.0));
        // dx = γ·invstd/N·(N·dy - Σdy) when x̂ = 0.
        var expectedDx = Column(dy, 2, 0).Select(d => 1.5 * result.SavedInvStd[0] / 4 * (4 * d - 2)).ToArray();
        Close.All<double>(Column(grads.Dx, 2, 0), expectedDx, 1e-12, 1e-12, "dx");
    }

    [Test]
    public void LayerAndGroupNormConstantGroupGivesBeta()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        double[] x = [2, 2, 2, 2, -1, 0, 1, 5], gamma = [1, 2, 3, 4], beta = [0.5, -0.5, 0.25, 1];
        var layer = NormRunner.GroupNorm(backend, x, 2, 4, gamma, beta, groups: null);
        Assert.That(layer.Y[..4], Is.EqualTo(beta), "constant row");
        var group = NormRunner.GroupNorm(backend, [2, 2, 0, 3], 1, 4, gamma, beta, groups: 2);
        Assert.That(group.Y[..2], Is.EqualTo(beta[..2]), "constant group");
        Assert.That(group.SavedInvStd[0], Is.EqualTo(1 / Math.Sqrt(Eps)).Within(1e-12).Percent);
        var grads = NormRunner.GroupNormBackward(backend, [1.0, -3, 0.5, 2], [2, 2, 0, 3], 1, 4, gamma, group.SavedMean, group.SavedInvStd, groups: 2);
        Assert.That(grads.Dx.All(double.IsFinite), Is.True);
    }

    [Test]
    public void ExtremeValuesNormaliseToPlusMinusOne()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        double[] x = [1e30, -1e30, -1e30, 1e30], gamma = [2, 3], beta = [0.5, -0.5];
        var batch = NormRunner.BatchNormTraining(backend, x, 2, 2, gamma, beta, [0.0, 0.0], [1.0, 1.0]);
        Close.All<double>(batch.Y, [2.5, -3.5, -1.5, 2.5], 1e-12, 0, "batch norm y");
        Close.All<double>(batch.RunningVar, [0.9 + 0.1 * 2e60, 0.9 + 0.1 * 2e60], 1e-12, 0, "running var");
        var layer = NormRunner.GroupNorm(backend, x, 2, 2, gamma, beta, groups: null);
        Close.All<double>(layer.Y, [2.5, -3.5, -1.5, 2.5], 1e-12, 0, "layer norm y");
    }

    [Test]
    public void NaNStaysInItsFeatureOrRow()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        double[] x = [double.NaN, 1, 2, 3, -1, 0.5], ones = [1, 1], zeros = [0, 0];
        var batch = NormRunner.BatchNormTraining(backend, x, 3, 2, ones, zeros, zeros, ones);
        Assert.That(Column(batch.Y, 2, 0).All(double.IsNaN) && double.IsNaN(batch.RunningVar[0]), Is.True, "NaN feature");
        Assert.That(Column(batch.Y, 2, 1).All(double.IsFinite) && double.IsFinite(batch.RunningVar[1]), Is.True, "other feature");
        var layer = NormRunner.GroupNorm(backend, x, 3, 2, ones, zeros, groups: null);
        Assert.That(layer.Y[..2].All(double.IsNaN) && layer.Y[2..].All(double.IsFinite), Is.True, "only the NaN row");
    }

    [Test]
    public void EmptyBatches()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        double[] gamma = [1, 2, 3], beta = [0, 0, 0];
        Assert.That(NormRunner.BatchNormInference(backend, [], 0, 3, gamma, beta, beta, gamma), Is.Empty);
        var noFeatures = NormRunner.BatchNormTraining(backend, [], 3, 0, [], [], [], []);
        Assert.That(noFeatures.Y.Length + noFeatures.SavedMean.Length, Is.Zero);
        Assert.That(NormRunner.GroupNorm(backend, [], 0, 3, gamma, beta, groups: null).Y, Is.Empty);
        // With no rows the parameter gradients are sums of nothing: overwritten with zeros.
        var layer = NormRunner.GroupNormBackward(backend, [], [], 0, 3, gamma, [], [], groups: null);
        Assert.That(layer.DGamma.Concat(layer.DBeta), Is.All.Zero);
        var group = NormRunner.GroupNormBackward(backend, [], [], 0, 3, gamma, [], [], groups: 3);
        Assert.That(group.DGamma.Concat(group.DBeta), Is.All.Zero);
    }

    [Test]
    public void InPlaceForwardAndBackwardMatchOutOfPlace()
    {
        using var backend = NormRunner.CreateDouble(backendName);
        const int rows = 6, features = 5;
        var data = TestData.Normal<double>(31, rows * features);
        var r = TestData.Normal<double>(32, rows * features);
        double[] gamma = TestData.Uniform<double>(33, features), zeros = new double[features];
        var expected = NormRunner.BatchNormTraining(backend, data, rows, features, gamma, zeros, zeros, zeros);

        using var x = backend.FromArray(data, rows, features);
        using var mean = backend.Allocate<double>(features);
        using var invStd = backend.Allocate<double>(features);
        using var rm = backend.Allocate<double>(features);
        using var rv = backend.Allocate<double>(features);
        using var g = backend.FromArray(gamma, features);
        using var b = backend.Allocate<double>(features);
        backend.BatchNormForwardTraining(x, mean, invStd, rm, rv, x, g, b, 0.1, Eps);
        Assert.That(backend.ToArray(x), Is.EqualTo(expected.Y), "batch norm y over x");

        var layer = NormRunner.GroupNorm(backend, data, rows, features, gamma, zeros, groups: null);
        var expectedGrads = NormRunner.GroupNormBackward(backend, r, data, rows, features, gamma, layer.SavedMean, layer.SavedInvStd, groups: null);
        using var xt = backend.FromArray(data, rows, features);
        using var dy = backend.FromArray(r, rows, features);
        using var layerMean = backend.FromArray(layer.SavedMean, rows);
        using var layerInvStd = backend.FromArray(layer.SavedInvStd, rows);
        using var dGamma = backend.Allocate<double>(features);
        using var dBeta = backend.Allocate<double>(features);
        backend.LayerNormBackward(dy, dGamma, dBeta, dy, xt, g, layerMean, layerInvStd);
        Assert.That(backend.ToArray(dy), Is.EqualTo(expectedGrads.Dx), "layer norm dx over dy");
        Assert.That(backend.ToArray(dGamma), Is.EqualTo(expectedGrads.DGamma), "layer norm dgamma with dx over dy");
    }

    private static double[] Column(double[] matrix, int columns, int column) =>
        Enumerable.Range(0, matrix.Length / columns).Select(r => matrix[r * columns + column]).ToArray();
}

/// <summary>
/// Float32 statistics of features and rows like 1e4 + noise of std 0.01 (a one-pass E[x²] - E[x]² would return
/// noise there): the saved mean within one float ulp of 1e4 and the inverse std within 1e-4 of the float64 truth.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cpu-reference")]
[TestFixture("cuda")]
public sealed class LargeOffsetTests(string backendName) : ConformanceTest(backendName)
{
    private const int Count = 1000;
    private const double Ulp = 1.0 / 1024; // float spacing between 8192 and 16384

    private static float[] OffsetNoise(int seed) => TestData.Normal<double>(seed, Count, std: 0.01).Select(v => (float)(1e4 + v)).ToArray();

    private static (double Mean, double InvStd) Truth(IEnumerable<float> values)
    {
        var v = values.Select(f => (double)f).ToArray();
        double mean = v.Average(), variance = v.Sum(a => (a - mean) * (a - mean)) / v.Length;
        return (mean, 1 / Math.Sqrt(variance + 1e-5));
    }

    private static void AssertStatistics(float mean, float invStd, (double Mean, double InvStd) truth, string what)
    {
        Assert.That(mean, Is.EqualTo(truth.Mean).Within(Ulp), $"{what} mean");
        Assert.That(invStd, Is.EqualTo(truth.InvStd).Within(1e-4 * truth.InvStd), $"{what} inv std");
    }

    [Test]
    public void BatchNormColumn()
    {
        // Feature 0 is the offset noise, feature 1 ordinary data.
        float[] offset = OffsetNoise(41), other = TestData.Normal<float>(42, Count);
        var x = Enumerable.Range(0, 2 * Count).Select(i => i % 2 == 0 ? offset[i / 2] : other[i / 2]).ToArray();
        var result = NormRunner.BatchNormTraining(Backend, x, Count, 2, [1f, 1f], [0f, 0f], [0f, 0f], [1f, 1f]);
        AssertStatistics(result.SavedMean[0], result.SavedInvStd[0], Truth(offset), "batch norm");
    }

    [Test]
    public void LayerAndGroupNormRow()
    {
        var x = OffsetNoise(43);
        var gamma = Enumerable.Repeat(1f, Count).ToArray();
        var layer = NormRunner.GroupNorm(Backend, x, 1, Count, gamma, new float[Count], groups: null);
        AssertStatistics(layer.SavedMean[0], layer.SavedInvStd[0], Truth(x), "layer norm");
        var group = NormRunner.GroupNorm(Backend, x, 1, Count, gamma, new float[Count], groups: 2);
        AssertStatistics(group.SavedMean[1], group.SavedInvStd[1], Truth(x.Skip(Count / 2)), "group norm second group");
    }
}
