using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Losses;

/// <summary>The SIMD losses sum fixed blocks in a fixed order: the same bits on one thread and on many, run after
/// run, on inputs large enough to span many blocks.</summary>
public sealed class LossDeterminismTests
{
    [Test]
    public void SoftmaxCrossEntropyDoesNotDependOnThreadCount()
    {
        const int rows = 300, classes = 1000;
        float[] logits = TestData.Normal<float>(41, rows * classes, std: 3);
        int[] labels = TestData.Labels(42, rows, classes);
        using var oneThread = new CpuBackend<float>(maxThreads: 1);
        using var manyThreads = new CpuBackend<float>(maxThreads: 8);
        var (loss, gradient) = LossRun.SoftmaxCrossEntropy(oneThread, logits, labels, 0.1);
        for (int run = 0; run < 3; run++)
        {
            var (parallelLoss, parallelGradient) = LossRun.SoftmaxCrossEntropy(manyThreads, logits, labels, 0.1);
            Assert.That(BitConverter.SingleToInt32Bits(parallelLoss), Is.EqualTo(BitConverter.SingleToInt32Bits(loss)), $"run {run}");
            Close.Exact<float>(parallelGradient, gradient, $"run {run} dLogits");
        }
    }

    [TestCase(PointwiseLoss.Mse)]
    [TestCase(PointwiseLoss.BinaryCrossEntropyWithLogits)]
    public void PointwiseDoesNotDependOnThreadCount(PointwiseLoss kind)
    {
        const int length = 1_000_003;
        float[] input = TestData.Normal<float>(43, length, std: 3);
        float[] target = LossRun.Targets<float>(kind, 44, length);
        using var oneThread = new CpuBackend<float>(maxThreads: 1);
        using var manyThreads = new CpuBackend<float>(maxThreads: 8);
        var (loss, gradient) = LossRun.Pointwise(oneThread, kind, input, target);
        for (int run = 0; run < 3; run++)
        {
            var (parallelLoss, parallelGradient) = LossRun.Pointwise(manyThreads, kind, input, target);
            Assert.That(BitConverter.SingleToInt32Bits(parallelLoss), Is.EqualTo(BitConverter.SingleToInt32Bits(loss)), $"run {run}");
            Close.Exact<float>(parallelGradient, gradient, $"run {run} gradient");
        }
    }

    /// <summary>A float32 mean over a million terms keeps ~7 digits against a float64 recomputation, because the
    /// batch sum accumulates in float64.</summary>
    [Test]
    public void LargeMeanKeepsFloat32Precision()
    {
        const int length = 1_000_003;
        float[] prediction = TestData.Uniform<float>(45, length, 0, 1);
        float[] target = new float[length];
        double expected = prediction.Sum(p => (double)p * p) / length;
        foreach (var kernels in new[] { CpuKernels.Simd, CpuKernels.Reference })
        {
            using var backend = new CpuBackend<float>(kernels);
            var (loss, _) = LossRun.Pointwise(backend, PointwiseLoss.Mse, prediction, target, withGradient: false);
            Assert.That(loss, Is.EqualTo(expected).Within(2e-7 * expected), kernels.ToString());
        }
    }
}
