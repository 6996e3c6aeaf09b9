using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Core;

/// <summary>
/// The CPU backend's parallel loops (<see cref="CpuWorkers"/>): no managed allocation per op once warm, exceptions
/// reach the caller, loops inside loops and loops from several threads at once run every chunk exactly once.
/// </summary>
[TestFixture]
public sealed class CpuWorkersTests
{
    [Test]
    public void SimdOpsAllocateNothingPerCallOnceWarm()
    {
        const int rows = 512, features = 1024;
        using var cpu = new CpuBackend<float>(maxThreads: 2);
        using var x = cpu.FromArray(TestData.Normal<float>(1, rows * features), rows, features);
        using var y = cpu.Allocate<float>(rows, features);
        using var dy = cpu.FromArray(TestData.Normal<float>(2, rows * features), rows, features);
        using var dx = cpu.Allocate<float>(rows, features);
        using var w = cpu.FromArray(TestData.Normal<float>(3, 256 * features), 256, features);
        using var bias = cpu.Allocate<float>(256);
        using var h = cpu.Allocate<float>(rows, 256);
        using var gamma = cpu.FromArray(Enumerable.Repeat(1f, features).ToArray());
        using var beta = cpu.Allocate<float>(features);
        using var stats = cpu.Allocate<float>(4, features);
        using var mean = stats.View(0, features);
        using var invStd = stats.View(features, features);
        using var runningMean = stats.View(2 * features, features);
        using var runningVar = stats.View(3 * features, features);
        using var labels = cpu.FromArray(TestData.Labels(4, rows, 256));
        using var loss = cpu.Allocate<float>(1);
        using var correct = cpu.Allocate<int>(1);
        using var m = cpu.Allocate<float>(rows, features);
        using var v = cpu.Allocate<float>(rows, features);
        long step = 0;
        var ops = new (string Name, Action Call)[]
        {
            ("relu forward", () => cpu.ActivationForward(y, x, Activation.ReLU)),
            ("relu backward", () => cpu.ActivationBackward(dx, dy, x, y, Activation.ReLU)),
            ("dropout", () => cpu.DropoutForward(y, x, 0.2, 7, 1)),
            ("batchnorm forward", () => cpu.BatchNormForwardTraining(y, mean, invStd, runningMean, runningVar, x, gamma, beta, 0.1, 1e-5)),
            ("batchnorm backward", () => cpu.BatchNormBackward(dx, gamma, beta, dy, x, gamma, mean, invStd)),
            ("gemm + bias + relu", () => cpu.Gemm(h, x, false, w, true, 1, 0, bias, Activation.ReLU)),
            ("softmax cross-entropy", () => cpu.SoftmaxCrossEntropy(loss, h, h, labels, 0.1)),
            ("argmax count", () => cpu.ArgMaxCountCorrect(correct, h, labels)),
            ("adam", () => cpu.AdamUpdate(x, dy, m, v, null, new AdamSettings(), new UpdateStep(1e-3, ++step))),
        };
        foreach (var (name, call) in ops)
        {
            for (int i = 0; i < 20; i++) call();
            // The least of three tries: another thread of the test host may allocate while one try runs.
            long least = long.MaxValue;
            for (int attempt = 0; attempt < 3 && least > 0; attempt++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < 50; i++) call();
                least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            Assert.That(least, Is.Zero, $"{name}: bytes allocated by 50 calls");
        }
    }

    [Test]
    public void AnExceptionInAChunkReachesTheCallerAndTheWorkersStayUsable()
    {
        using var cpu = new CpuBackend<float>(maxThreads: 2);
        var error = Assert.Throws<InvalidOperationException>(() =>
            cpu.ParallelFor(1000, 10, 0, static (_, chunk, _, _) =>
            {
                if (chunk == 37) throw new InvalidOperationException("chunk 37");
            }));
        Assert.That(error!.Message, Is.EqualTo("chunk 37"));
        Assert.That(CoveredChunks(cpu, 1000, 10), Is.EqualTo(Enumerable.Repeat(1, 100)));
    }

    [Test]
    public void LoopsInsideLoopsAndFromSeveralThreadsRunEveryChunkOnce()
    {
        using var cpu = new CpuBackend<float>(maxThreads: 2);
        var inner = new int[8][];
        cpu.ParallelFor(8, 1, (cpu, inner), static (s, chunk, _, _) => s.inner[chunk] = CoveredChunks(s.cpu, 640, 10));
        Assert.That(inner, Has.All.EqualTo(Enumerable.Repeat(1, 64)));
        var results = new int[6][];
        Parallel.For(0, 6, t => results[t] = CoveredChunks(cpu, 25_600, 100));
        Assert.That(results, Has.All.EqualTo(Enumerable.Repeat(1, 256)));
    }

    /// <summary>How many times each chunk of a loop over [0, count) ran.</summary>
    private static int[] CoveredChunks(CpuBackend<float> cpu, int count, int grain)
    {
        var runs = new int[CpuBackend<float>.ChunkCount(count, grain)];
        cpu.ParallelFor(count, grain, runs, static (runs, chunk, _, _) => Interlocked.Increment(ref runs[chunk]));
        return runs;
    }
}
