using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Normalization;

/// <summary>
/// The one-read batch statistics (L2-sized row blocks merged in a fixed order) and the chunked backward sums: the
/// same bits whatever the thread count, and float64-accurate moments on features with a large offset.
/// </summary>
public class BatchNormBlockTests
{
    // 3000 × 100: 655-row blocks, five of them merged (the last one short), nine backward chunks.
    private const int Rows = 3000, Features = 100;

    [Test]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var x = TestData.Normal<float>(1, Rows * Features, std: 3);
        var dy = TestData.Normal<float>(2, Rows * Features);
        var gamma = TestData.Uniform<float>(3, Features, 0.5, 1.5);
        var beta = TestData.Uniform<float>(4, Features);
        var zeros = new float[Features];
        var ones = Enumerable.Repeat(1f, Features).ToArray();
        using var one = new CpuBackend<float>(maxThreads: 1);
        using var two = new CpuBackend<float>(maxThreads: 2);
        var a = NormRunner.BatchNormTraining(one, x, Rows, Features, gamma, beta, zeros, ones);
        var b = NormRunner.BatchNormTraining(two, x, Rows, Features, gamma, beta, zeros, ones);
        Close.Exact<float>(a.Y, b.Y, "y");
        Close.Exact<float>(a.SavedMean, b.SavedMean, "saved mean");
        Close.Exact<float>(a.SavedInvStd, b.SavedInvStd, "saved inv std");
        var ga = NormRunner.BatchNormBackward(one, dy, x, Rows, Features, gamma, a.SavedMean, a.SavedInvStd);
        var gb = NormRunner.BatchNormBackward(two, dy, x, Rows, Features, gamma, a.SavedMean, a.SavedInvStd);
        Close.Exact<float>(ga.Dx, gb.Dx, "dx");
        Close.Exact<float>(ga.DGamma, gb.DGamma, "dgamma");
        Close.Exact<float>(ga.DBeta, gb.DBeta, "dbeta");
    }

    [Test]
    public void MomentsOfOffsetFeaturesMatchFloat64()
    {
        // Feature f is 1e4·(f + 1) + noise of std 0.5: a one-pass Σx² in float would lose the variance entirely.
        var noise = TestData.Normal<double>(5, Rows * Features, std: 0.5);
        var x = new float[Rows * Features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(1e4 * (i % Features + 1) + noise[i]);
        var gamma = Enumerable.Repeat(1f, Features).ToArray();
        using var cpu = new CpuBackend<float>();
        var result = NormRunner.BatchNormTraining(cpu, x, Rows, Features, gamma, new float[Features], new float[Features],
            Enumerable.Repeat(1f, Features).ToArray());
        for (int f = 0; f < Features; f++)
        {
            double mean = 0, m2 = 0;
            for (int r = 0; r < Rows; r++) mean += x[r * Features + f];
            mean /= Rows;
            for (int r = 0; r < Rows; r++) m2 += Math.Pow(x[r * Features + f] - mean, 2);
            double invStd = 1 / Math.Sqrt(m2 / Rows + 1e-5);
            Assert.That(result.SavedMean[f], Is.EqualTo(mean).Within(1e-6 * Math.Abs(mean)), $"mean of feature {f}");
            Assert.That(result.SavedInvStd[f], Is.EqualTo(invStd).Within(1e-3 * invStd), $"inv std of feature {f}");
        }
    }

    [Test]
    public void MomentsOfFeaturesThatDriftAcrossBlocksMatchFloat64()
    {
        // Each block is centred on the previous block's mean, so the hard cases are features whose mean moves
        // between blocks: a ramp, steps of 100 with a spread of 1e-3 inside each block (655 rows), sorted values,
        // and a spike of 1e6 in one row.
        var noise = TestData.Normal<double>(6, Rows * Features, std: 1);
        var sorted = TestData.Normal<double>(7, Rows, std: 10).Order().ToArray();
        var x = new float[Rows * Features];
        for (int r = 0; r < Rows; r++)
            for (int f = 0; f < Features; f++)
                x[r * Features + f] = (float)((f % 4) switch
                {
                    0 => 0.5 * r + noise[r * Features + f],
                    1 => 1e4 + 100 * (r / 655) + 1e-3 * noise[r * Features + f],
                    2 => sorted[r] * (f + 1),
                    _ => r == 1234 ? 1e6 : noise[r * Features + f],
                });
        var gamma = Enumerable.Repeat(1f, Features).ToArray();
        using var cpu = new CpuBackend<float>();
        var result = NormRunner.BatchNormTraining(cpu, x, Rows, Features, gamma, new float[Features], new float[Features],
            Enumerable.Repeat(1f, Features).ToArray());
        double worst = 0;
        for (int f = 0; f < Features; f++)
        {
            double mean = 0, m2 = 0;
            for (int r = 0; r < Rows; r++) mean += x[r * Features + f];
            mean /= Rows;
            for (int r = 0; r < Rows; r++) m2 += Math.Pow(x[r * Features + f] - mean, 2);
            double invStd = 1 / Math.Sqrt(m2 / Rows + 1e-5);
            // float32 sums of values this size round at ~1e-7 of |mean| + spread; the old two-pass was as close.
            Assert.That(result.SavedMean[f], Is.EqualTo(mean).Within(2e-6 * (Math.Abs(mean) + Math.Sqrt(m2 / Rows))), $"mean of feature {f}");
            Assert.That(result.SavedInvStd[f], Is.EqualTo(invStd).Within(1e-5 * invStd), $"inv std of feature {f}");
            worst = Math.Max(worst, Math.Abs(result.SavedInvStd[f] - invStd) / invStd);
        }
        TestContext.Out.WriteLine($"worst relative error of invstd: {worst:E2}");
    }
}
