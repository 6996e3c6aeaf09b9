using CudaNet.Cpu;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

public sealed class LearningRateFinderTests
{
    private static readonly Dataset Train = Blobs.Make(512, 8, 3, separation: 1.5, seed: 31);

    private static Sequential Mlp() => new(
        new Dense(8, 32), new BatchNorm(32), new ReLU(), new Dropout(0.1), new Dense(32, 3));

    private static double ExpectedLearningRate(double start, double end, int steps, int i) => start * Math.Pow(end / start, i / (double)(steps - 1));

    /// <summary>
    /// SGD on well-separated blobs: the loss falls from about lr 0.02, keeps falling up to a few units (BatchNorm
    /// makes the network tolerant of large steps) and explodes past ≈ 8. Measured: diverged after 69 of 100 steps
    /// (lr 15.2), steepest descent of the smoothed curve at lr 0.66. Stated range for the suggestion: [0.05, 3].
    /// </summary>
    [Test]
    public void SgdSweepDivergesAndSuggestsARateInsideTheUsefulRange()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp().Compile(cpu, new Sgd(0.1), Loss.SoftmaxCrossEntropy, seed: 5);
        var sweep = LearningRateFinder.Run(session, Train, startLr: 1e-5, endLr: 1e4, steps: 100, batchSize: 32);

        Assert.That(sweep.Diverged, Is.True);
        Assert.That(sweep.Points, Has.Count.InRange(50, 99), "the sweep stops well before 1e4");
        var last = sweep.Points[^1];
        double best = sweep.Points.Take(sweep.Points.Count - 1).Min(p => p.SmoothedLoss);
        Assert.That(last.SmoothedLoss, Is.GreaterThan(4 * best), "it stops at the first smoothed loss above 4× the best");
        double running = sweep.Points[0].SmoothedLoss;
        for (int i = 1; i < sweep.Points.Count - 1; i++)
        {
            Assert.That(sweep.Points[i].SmoothedLoss, Is.LessThanOrEqualTo(4 * running), $"no earlier stop, step {i}");
            running = Math.Min(running, sweep.Points[i].SmoothedLoss);
        }
        Assert.That(sweep.Suggested, Is.InRange(0.05, 3.0));
        Assert.That(sweep.MinimumLossLearningRate, Is.InRange(0.05, 3.0));

        double average = 0;
        for (int i = 0; i < sweep.Points.Count; i++)
        {
            var p = sweep.Points[i];
            Assert.That(p.LearningRate, Is.EqualTo(ExpectedLearningRate(1e-5, 1e4, 100, i)).Within(1e-12).Percent, $"step {i}");
            average = 0.98 * average + 0.02 * p.Loss;
            Assert.That(p.SmoothedLoss, Is.EqualTo(average / (1 - Math.Pow(0.98, i + 1))).Within(1e-12).Percent, $"step {i}");
        }

        // The suggestion trains well; a rate 100× smaller barely moves in the same budget.
        using var suggested = Mlp().Compile(cpu, new Sgd(sweep.Suggested), Loss.SoftmaxCrossEntropy, seed: 5);
        using var timid = Mlp().Compile(cpu, new Sgd(sweep.Suggested / 100), Loss.SoftmaxCrossEntropy, seed: 5);
        double good = suggested.Fit(Train, epochs: 3, options: new FitOptions(BatchSize: 32))[^1].Loss;
        double slow = timid.Fit(Train, epochs: 3, options: new FitOptions(BatchSize: 32))[^1].Loss;
        Assert.That(good, Is.LessThan(slow / 2));
    }

    [Test]
    public void ASweepLeavesTheSessionExactlyAsItWas()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 5);
        using var twin = Mlp().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 5);
        var options = new FitOptions(BatchSize: 32);
        session.Fit(Train, epochs: 1, options: options);
        twin.Fit(Train, epochs: 1, options: options);
        var parameters = cpu.ToArray(session.Network.Parameters);
        var buffers = cpu.ToArray(session.Network.Buffers!);
        var moments = session.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor)).ToArray();
        var counters = session.Network.Layers.SelectMany(l => l.Counters).ToArray();
        long live = cpu.Allocations.LiveCount, bytes = cpu.Allocations.LiveBytes;

        var sweep = LearningRateFinder.Run(session, Train, startLr: 1e-4, endLr: 1e3, steps: 60, batchSize: 32);
        Assert.That(sweep.Points, Has.Count.GreaterThan(10), "the sweep trained for real");

        Assert.That(cpu.ToArray(session.Network.Parameters), Is.EqualTo(parameters));
        Assert.That(cpu.ToArray(session.Network.Buffers!), Is.EqualTo(buffers));
        Assert.That(session.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor)), Is.EqualTo(moments));
        Assert.That(session.Network.Layers.SelectMany(l => l.Counters), Is.EqualTo(counters));
        Assert.That((session.Step, session.Epoch, session.History.Count), Is.EqualTo((twin.Step, twin.Epoch, 1)));
        Assert.That((cpu.Allocations.LiveCount, cpu.Allocations.LiveBytes), Is.EqualTo((live, bytes)));

        session.Fit(Train, epochs: 1, options: options);
        twin.Fit(Train, epochs: 1, options: options);
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.EqualTo(cpu.ToArray(twin.Network.Parameters)),
            "training after the sweep continues exactly as without it");
    }

    [Test]
    public void ANarrowSweepRunsEveryStepUpToTheEndRate()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp().Compile(cpu, new Sgd(0.1), Loss.SoftmaxCrossEntropy, seed: 5);
        // 40 steps of 32 rows wrap around the 16 full batches of the set, reshuffling on each pass.
        var sweep = LearningRateFinder.Run(session, Train, startLr: 1e-6, endLr: 1e-4, steps: 40, batchSize: 32);
        Assert.That(sweep.Diverged, Is.False);
        Assert.That(sweep.Points, Has.Count.EqualTo(40));
        Assert.That(sweep.Points[0].LearningRate, Is.EqualTo(1e-6));
        Assert.That(sweep.Points[^1].LearningRate, Is.EqualTo(1e-4).Within(1e-12).Percent);
        Assert.That(sweep.Points.Select(p => p.LearningRate), Is.Ordered.Ascending);
        // Rates this small do not lower the loss, so its smoothed minimum lies in the first tenth of the sweep: the
        // steepest-descent rule has no range to search and the minimum-loss rule (lr at the minimum / 10) answers.
        int lowest = sweep.Points.Select((p, i) => (p.SmoothedLoss, i)).Min().i;
        Assert.That(lowest, Is.LessThanOrEqualTo(4));
        Assert.That(sweep.MinimumLossLearningRate, Is.EqualTo(sweep.Points[lowest].LearningRate / 10));
        Assert.That(sweep.Suggested, Is.EqualTo(sweep.MinimumLossLearningRate));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp().Compile(cpu, new Sgd(0.1), Loss.SoftmaxCrossEntropy);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(session, Train, startLr: 1, endLr: 0.5))!;
        Assert.That(e.Message, Does.Contain("LearningRateFinder").And.Contain("endLr"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(session, Train, startLr: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(session, Train, steps: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(session, Train, smoothing: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Run(session, Train, divergeFactor: 1));
        Assert.Throws<ArgumentException>(() => LearningRateFinder.Run(session, Blobs.Make(10, 5, 3, 1, seed: 1)));
    }
}
