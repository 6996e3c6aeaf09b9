using CudaNet.Cpu;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

/// <summary>DESIGN.md §3: nothing is allocated on the backend inside the training loop.</summary>
public sealed class TrainingAllocationTests
{
    private static Sequential Mlp() => new(
        new Dense(12, 32, weightNoise: 0.01), new BatchNorm(32), new ReLU(), new Dropout(0.2), new Dense(32, 4));

    /// <summary>Records the backend's live allocations after every epoch.</summary>
    private sealed class AllocationProbe(IBackend<float> backend) : Callback
    {
        public List<(long Count, long Bytes)> AfterEpoch { get; } = [];

        public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics) =>
            AfterEpoch.Add((backend.Allocations.LiveCount, backend.Allocations.LiveBytes));
    }

    [Test]
    public void LiveAllocationsAreFlatFromTheFirstStepThrough200Steps()
    {
        using var cpu = new CpuBackend<float>();
        // One step per epoch (the whole set is one batch), so the epoch callback sees every step.
        var train = Blobs.Make(48, 12, 4, separation: 1, seed: 2);
        using var session = Mlp().Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy);
        session.Fit(train, epochs: 1, options: new FitOptions(BatchSize: 48)); // sizes the activation arena
        var before = (cpu.Allocations.LiveCount, cpu.Allocations.LiveBytes);
        var probe = new AllocationProbe(cpu);
        session.Fit(train, epochs: 200, options: new FitOptions(BatchSize: 48), callbacks: [probe]);
        Assert.That(session.Step, Is.EqualTo(201));
        Assert.That(probe.AfterEpoch, Has.Count.EqualTo(200));
        Assert.That(probe.AfterEpoch, Is.All.EqualTo(probe.AfterEpoch[0]), "no step after the first allocates or frees");
        Assert.That(probe.AfterEpoch[0].Count, Is.GreaterThan(before.Item1), "the resident data and arena are live during Fit");
        Assert.That((cpu.Allocations.LiveCount, cpu.Allocations.LiveBytes), Is.EqualTo(before), "Fit frees its resident data");
    }

    [Test]
    public void LiveAllocationsAreFlatAcrossEpochsOfManyStepsWithValidation()
    {
        using var cpu = new CpuBackend<float>();
        var train = Blobs.Make(200, 12, 4, separation: 1, seed: 2);
        var validation = Blobs.Make(70, 12, 4, separation: 1, seed: 3);
        using var session = Mlp().Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy);
        var probe = new AllocationProbe(cpu);
        // 200 rows in batches of 32: 6 full steps and a short one per epoch; 29 epochs = 203 steps.
        session.Fit(train, validation, epochs: 29, options: new FitOptions(BatchSize: 32), callbacks: [probe]);
        Assert.That(session.Step, Is.EqualTo(203));
        Assert.That(probe.AfterEpoch, Is.All.EqualTo(probe.AfterEpoch[0]));
    }

}
