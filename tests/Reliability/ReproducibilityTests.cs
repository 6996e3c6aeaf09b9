using CudaNet.Cpu;
using CudaNet.Tests.Support;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// The same seed gives the same weights bit for bit, whatever the CPU thread count (every SIMD reduction splits its
/// work by size, never by thread count); the GPU agrees with the CPU to float32 tolerance.
/// </summary>
public sealed class ReproducibilityTests
{
    // Wide enough that the SIMD kernels split GEMMs and reductions into several parallel chunks.
    private static Sequential Model() => new(
        new Dense(64, 256), new BatchNorm(256), new ReLU(), new Dropout(0.2), new LayerNorm(256), new Dense(256, 128),
        new GaussianNoise(0.05), new ReLU(), new DropConnect(128, 10, p: 0.2));

    private static (float[] Weights, float[] Buffers, double Loss) Train(IBackend<float> backend, ulong seed = 9)
    {
        var data = Blobs.Make(512, 64, 10, separation: 0.5, seed: 1);
        using var session = Model().Compile(backend, new AdamW(), Loss.SoftmaxCrossEntropy, seed);
        var history = session.Fit(data, epochs: 2, options: new FitOptions(BatchSize: 256, MaxGradNorm: 5));
        return (backend.ToArray(session.Network.Parameters), backend.ToArray(session.Network.Buffers!), history[^1].Loss);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Test]
    public void TwoRunsWithTheSameSeedGiveBitIdenticalWeights()
    {
        using var cpu = new CpuBackend<float>();
        var (first, second) = (Train(cpu), Train(cpu));
        Assert.That(Bits(second.Weights), Is.EqualTo(Bits(first.Weights)));
        Assert.That(Bits(second.Buffers), Is.EqualTo(Bits(first.Buffers)));
        Assert.That(Bits(Train(cpu, seed: 10).Weights), Is.Not.EqualTo(Bits(first.Weights)), "the seed matters");
    }

    [Test]
    public void TheThreadCountDoesNotChangeCpuResults()
    {
        var runs = new[] { 1, 2, 4 }.Select(threads =>
        {
            using var cpu = new CpuBackend<float>(maxThreads: threads);
            return (Threads: threads, Result: Train(cpu));
        }).ToList();
        foreach (var (threads, result) in runs.Skip(1))
        {
            Assert.That(Bits(result.Weights), Is.EqualTo(Bits(runs[0].Result.Weights)), $"{threads} threads vs 1: weights");
            Assert.That(Bits(result.Buffers), Is.EqualTo(Bits(runs[0].Result.Buffers)), $"{threads} threads vs 1: running statistics");
        }
        TestContext.Out.WriteLine($"maxThreads 1, 2, 4: {runs[0].Result.Weights.Length} weights bit-identical after 4 steps " +
                                  $"(loss {runs[0].Result.Loss:F6})");
    }

    [Test]
    public void CpuAndGpuAgreeToFloat32Tolerance()
    {
        using var gpu = TestBackends.Create("cuda");
        using var cpu = new CpuBackend<float>();
        var (onCpu, onGpu) = (Train(cpu), Train(gpu));
        double worst = onCpu.Weights.Zip(onGpu.Weights, (a, b) => Math.Abs(a - b) / (1e-3 + Math.Abs(a))).Max();
        TestContext.Out.WriteLine($"CPU vs GPU after 4 steps: largest relative weight difference {worst:E2}; losses " +
                                  $"{onCpu.Loss:F6} / {onGpu.Loss:F6}");
        Assert.That(worst, Is.LessThan(1e-3));
        Assert.That(onGpu.Loss, Is.EqualTo(onCpu.Loss).Within(1e-4).Percent);
    }
}
