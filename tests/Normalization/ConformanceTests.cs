using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Normalization;

/// <summary>
/// The backend under test against the float32 plain-loop reference on every awkward shape and on a shape large
/// enough to run in parallel chunks. Every output involves a reduction, so the reduction tolerances apply.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class ConformanceTests(string backendName) : ConformanceTest(backendName)
{
    private const double Rtol = Tolerance.ReductionRtol, Atol = Tolerance.ReductionAtol;

    /// <summary>Awkward shapes plus one that crosses the parallel threshold (1000×300 = 300K elements).</summary>
    private static IEnumerable<(int Rows, int Columns)> Shapes => TestData.AwkwardShapes.Append((1000, 300));

    private static void Same(float[] actual, float[] expected, string what, (int, int) shape) =>
        Close.All<float>(actual, expected, Rtol, Atol, $"{what} {shape}");

    [Test]
    public void BatchNormTrainingAndBackward()
    {
        foreach (var (rows, features) in Shapes.Where(s => s.Rows >= 2))
        {
            var x = TestData.Normal<float>(rows + features, rows * features, std: 3);
            var dy = TestData.Normal<float>(rows * features + 1, rows * features);
            var gamma = TestData.Uniform<float>(11, features, 0.5, 1.5);
            var beta = TestData.Uniform<float>(12, features);
            var runningMean = TestData.Uniform<float>(13, features);
            var runningVar = TestData.Uniform<float>(14, features, 0.5, 2);

            var actual = NormRunner.BatchNormTraining(Backend, x, rows, features, gamma, beta, runningMean, runningVar);
            var expected = NormRunner.BatchNormTraining(Reference, x, rows, features, gamma, beta, runningMean, runningVar);
            Same(actual.Y, expected.Y, "y", (rows, features));
            Same(actual.SavedMean, expected.SavedMean, "saved mean", (rows, features));
            Same(actual.SavedInvStd, expected.SavedInvStd, "saved inv std", (rows, features));
            Same(actual.RunningMean, expected.RunningMean, "running mean", (rows, features));
            Same(actual.RunningVar, expected.RunningVar, "running var", (rows, features));

            var actualGrads = NormRunner.BatchNormBackward(Backend, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd);
            var expectedGrads = NormRunner.BatchNormBackward(Reference, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd);
            Same(actualGrads.Dx, expectedGrads.Dx, "dx", (rows, features));
            Same(actualGrads.DGamma, expectedGrads.DGamma, "dgamma", (rows, features));
            Same(actualGrads.DBeta, expectedGrads.DBeta, "dbeta", (rows, features));
        }
    }

    [Test]
    public void BatchNormInference()
    {
        foreach (var (rows, features) in Shapes)
        {
            var x = TestData.Normal<float>(rows + features, rows * features, std: 3);
            var gamma = TestData.Uniform<float>(11, features, 0.5, 1.5);
            var beta = TestData.Uniform<float>(12, features);
            var runningMean = TestData.Uniform<float>(13, features);
            var runningVar = TestData.Uniform<float>(14, features, 0.5, 2);
            Same(NormRunner.BatchNormInference(Backend, x, rows, features, gamma, beta, runningMean, runningVar),
                NormRunner.BatchNormInference(Reference, x, rows, features, gamma, beta, runningMean, runningVar), "y", (rows, features));
        }
    }

    [Test]
    public void LayerNormAndGroupNorm()
    {
        foreach (var (rows, features) in Shapes)
        {
            var x = TestData.Normal<float>(rows + features, rows * features, std: 3);
            var dy = TestData.Normal<float>(rows * features + 1, rows * features);
            var gamma = TestData.Uniform<float>(11, features, 0.5, 1.5);
            var beta = TestData.Uniform<float>(12, features);
            foreach (int? groups in GroupCounts(features))
            {
                string what = groups is null ? "layer norm" : $"group norm G={groups}";

                var actual = NormRunner.GroupNorm(Backend, x, rows, features, gamma, beta, groups);
                var expected = NormRunner.GroupNorm(Reference, x, rows, features, gamma, beta, groups);
                Same(actual.Y, expected.Y, $"{what} y", (rows, features));
                Same(actual.SavedMean, expected.SavedMean, $"{what} saved mean", (rows, features));
                Same(actual.SavedInvStd, expected.SavedInvStd, $"{what} saved inv std", (rows, features));

                var actualGrads = NormRunner.GroupNormBackward(Backend, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd, groups);
                var expectedGrads = NormRunner.GroupNormBackward(Reference, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd, groups);
                Same(actualGrads.Dx, expectedGrads.Dx, $"{what} dx", (rows, features));
                Same(actualGrads.DGamma, expectedGrads.DGamma, $"{what} dgamma", (rows, features));
                Same(actualGrads.DBeta, expectedGrads.DBeta, $"{what} dbeta", (rows, features));
            }
        }
    }

    /// <summary>Layer norm (null), then one group, the smallest and largest proper divisors of the features, and
    /// one feature per group: group sizes from F down to 1.</summary>
    private static IEnumerable<int?> GroupCounts(int features)
    {
        var divisors = Enumerable.Range(1, features).Where(g => features % g == 0).ToArray();
        int[] picked = [1, divisors[Math.Min(1, divisors.Length - 1)], divisors[Math.Max(0, divisors.Length - 2)], features];
        return new int?[] { null }.Concat(picked.Distinct().Select(g => (int?)g));
    }

    [Test]
    public void EveryFeatureCountUpTo257()
    {
        // Vector tails across features (batch norm) and along rows (layer norm) for every remainder.
        const int rows = 3;
        foreach (int features in TestData.AllLengths.Skip(1))
        {
            var x = TestData.Normal<float>(features, rows * features, std: 2);
            var dy = TestData.Normal<float>(features + 1000, rows * features);
            var gamma = TestData.Uniform<float>(features + 2000, features, 0.5, 1.5);
            var beta = TestData.Uniform<float>(features + 3000, features);
            float[] zeros = new float[features], ones = Enumerable.Repeat(1f, features).ToArray();

            var actual = NormRunner.BatchNormTraining(Backend, x, rows, features, gamma, beta, zeros, ones);
            var expected = NormRunner.BatchNormTraining(Reference, x, rows, features, gamma, beta, zeros, ones);
            Same(actual.Y, expected.Y, "batch norm y", (rows, features));
            Same(actual.RunningVar, expected.RunningVar, "batch norm running var", (rows, features));
            var actualGrads = NormRunner.BatchNormBackward(Backend, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd);
            var expectedGrads = NormRunner.BatchNormBackward(Reference, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd);
            Same(actualGrads.Dx, expectedGrads.Dx, "batch norm dx", (rows, features));
            Same(actualGrads.DGamma, expectedGrads.DGamma, "batch norm dgamma", (rows, features));

            var layer = NormRunner.GroupNorm(Backend, x, rows, features, gamma, beta, groups: null);
            var layerExpected = NormRunner.GroupNorm(Reference, x, rows, features, gamma, beta, groups: null);
            Same(layer.Y, layerExpected.Y, "layer norm y", (rows, features));
            Same(layer.SavedInvStd, layerExpected.SavedInvStd, "layer norm saved inv std", (rows, features));
            var layerGrads = NormRunner.GroupNormBackward(Backend, dy, x, rows, features, gamma, layerExpected.SavedMean, layerExpected.SavedInvStd, groups: null);
            var layerGradsExpected = NormRunner.GroupNormBackward(Reference, dy, x, rows, features, gamma, layerExpected.SavedMean, layerExpected.SavedInvStd, groups: null);
            Same(layerGrads.Dx, layerGradsExpected.Dx, "layer norm dx", (rows, features));
            Same(layerGrads.DGamma, layerGradsExpected.DGamma, "layer norm dgamma", (rows, features));
        }
    }

    [Test]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        const int rows = 1000, features = 300;
        using var oneThread = new CpuBackend<float>(CpuKernels.Simd, maxThreads: 1);
        using var threeThreads = new CpuBackend<float>(CpuKernels.Simd, maxThreads: 3);
        var x = TestData.Normal<float>(21, rows * features, std: 3);
        var dy = TestData.Normal<float>(22, rows * features);
        var gamma = TestData.Uniform<float>(23, features, 0.5, 1.5);
        var beta = TestData.Uniform<float>(24, features);
        float[] zeros = new float[features], ones = Enumerable.Repeat(1f, features).ToArray();

        var bn1 = NormRunner.BatchNormTraining(oneThread, x, rows, features, gamma, beta, zeros, ones);
        var bn3 = NormRunner.BatchNormTraining(threeThreads, x, rows, features, gamma, beta, zeros, ones);
        Close.Exact<float>(bn3.Y, bn1.Y, "batch norm y");
        Close.Exact<float>(bn3.RunningVar, bn1.RunningVar, "batch norm running var");
        Close.Exact<float>(NormRunner.BatchNormBackward(threeThreads, dy, x, rows, features, gamma, bn1.SavedMean, bn1.SavedInvStd).Dx,
            NormRunner.BatchNormBackward(oneThread, dy, x, rows, features, gamma, bn1.SavedMean, bn1.SavedInvStd).Dx, "batch norm dx");

        var gn1 = NormRunner.GroupNorm(oneThread, x, rows, features, gamma, beta, groups: 6);
        var gn3 = NormRunner.GroupNorm(threeThreads, x, rows, features, gamma, beta, groups: 6);
        Close.Exact<float>(gn3.Y, gn1.Y, "group norm y");
        var grads1 = NormRunner.GroupNormBackward(oneThread, dy, x, rows, features, gamma, gn1.SavedMean, gn1.SavedInvStd, groups: 6);
        var grads3 = NormRunner.GroupNormBackward(threeThreads, dy, x, rows, features, gamma, gn1.SavedMean, gn1.SavedInvStd, groups: 6);
        Close.Exact<float>(grads3.Dx, grads1.Dx, "group norm dx");
        Close.Exact<float>(grads3.DGamma, grads1.DGamma, "group norm dgamma");
    }
}
