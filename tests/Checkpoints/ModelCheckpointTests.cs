using CudaNet.Cpu;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

public sealed class ModelCheckpointTests : CheckpointFixture
{
    private static TrainingSession<float> Session(CpuBackend<float> cpu) =>
        Mlp(inputs: 12, hidden: 8, classes: 3).Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 9);

    private sealed class Recorder : Callback
    {
        public List<EpochMetrics> Epochs { get; } = [];

        public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics) => Epochs.Add(metrics);
    }

    [Test]
    public void SavesEveryEpochIntoItsOwnFolder()
    {
        var data = Synthetic(96, 12, 3, seed: 1);
        using var cpu = new CpuBackend<float>();
        using var session = Session(cpu);
        var callback = new ModelCheckpoint(Path.Combine(Folder, "epoch-{epoch}"));
        session.Fit(data, epochs: 3, options: new FitOptions(BatchSize: 32), callbacks: [callback]);
        Assert.That(Directory.GetDirectories(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "epoch-0001", "epoch-0002", "epoch-0003" }));
        Assert.That((callback.LastSavedEpoch, callback.LastSavedFolder), Is.EqualTo((3, Path.Combine(Folder, "epoch-0003"))));

        // Each folder resumes: epoch 2 plus one more epoch equals the run's third epoch.
        using var resumed = Session(cpu);
        resumed.LoadCheckpoint(Path.Combine(Folder, "epoch-0002"));
        resumed.Fit(data, epochs: 1, options: new FitOptions(BatchSize: 32));
        Assert.That(Bits(cpu.ToArray(resumed.Network.Parameters)), Is.EqualTo(Bits(cpu.ToArray(session.Network.Parameters))));
    }

    [Test]
    public void SaveBestOnlyKeepsTheBestEpochByTheMonitoredMetric()
    {
        var data = Synthetic(96, 12, 3, seed: 1);
        var validation = Synthetic(48, 12, 3, seed: 2);
        using var cpu = new CpuBackend<float>();
        using var session = Session(cpu);
        var recorder = new Recorder();
        string best = Path.Combine(Folder, "best");
        var callback = new ModelCheckpoint(best, monitor: "val_accuracy", saveBestOnly: true, includeTrainingState: false);
        // A huge learning rate late in training makes later epochs worse, so "best" is not simply "last".
        var schedule = new MultiStepDecay([3], 200);
        session.Fit(data, validation, epochs: 5, new FitOptions(BatchSize: 32, Schedule: schedule), [recorder, callback]);

        var accuracies = recorder.Epochs.Select(e => e.ValidationAccuracy!.Value).ToArray();
        int bestEpoch = Array.IndexOf(accuracies, accuracies.Max()) + 1;
        Assert.That(bestEpoch, Is.LessThan(5), "the setup must make the last epoch not the best");
        Assert.That(callback.Mode, Is.EqualTo(MonitorMode.Max));
        Assert.That((callback.LastSavedEpoch, callback.Best), Is.EqualTo((bestEpoch, accuracies.Max())));
        Assert.That(Directory.GetFiles(best).Select(Path.GetFileName), Is.EqualTo(new[] { CheckpointFiles.Model }), "model only");
        using var saved = Network<float>.Load(Path.Combine(best, CheckpointFiles.Model), cpu);
        using var evaluator = new TrainingSession<float>(saved, new Adam(), Loss.SoftmaxCrossEntropy);
        Assert.That(evaluator.Evaluate(validation).Accuracy, Is.EqualTo(accuracies.Max()));
    }

    [Test]
    public void MonitorModeFollowsKerasAuto()
    {
        Assert.That(new ModelCheckpoint("x").Mode, Is.EqualTo(MonitorMode.Min));
        Assert.That(new ModelCheckpoint("x", monitor: "accuracy").Mode, Is.EqualTo(MonitorMode.Max));
        Assert.That(new ModelCheckpoint("x", monitor: "val_acc", mode: MonitorMode.Min).Mode, Is.EqualTo(MonitorMode.Min));
        Assert.That(() => new ModelCheckpoint("x", monitor: "f1"), Throws.ArgumentException.With.Message.Contains("f1"));
        Assert.That(() => new ModelCheckpoint(""), Throws.ArgumentException);
    }
}
