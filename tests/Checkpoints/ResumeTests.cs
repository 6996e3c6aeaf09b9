using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

public sealed class ResumeTests : CheckpointFixture
{
    private const ulong Seed = 11;
    private static readonly FitOptions Options = new(BatchSize: 64, Schedule: new StepDecay(2, 0.5));

    private static TrainingSession<float> NewSession(CpuBackend<float> cpu, Optimizer? optimizer = null, ulong seed = Seed) =>
        Mlp(hidden: 24).Compile(cpu, optimizer ?? new Adam(2e-3), Loss.SoftmaxCrossEntropy, seed);

    private static (Dataset Train, Dataset Validation) Data() => FashionSample(360).Split(0.2, seed: 3);

    /// <summary>Everything that decides the future of a run, as comparable values.</summary>
    private static object[] Fingerprint(TrainingSession<float> s) =>
    [
        Bits(s.Backend.ToArray(s.Network.Parameters)), Bits(s.Backend.ToArray(s.Network.Buffers!)),
        s.OptimizerState.Tensors.Select(t => Bits(s.Backend.ToArray(t.Tensor))).ToArray(),
        s.Network.Layers.SelectMany(l => l.Counters).ToArray(), s.Step, s.Epoch, s.SkippedSteps,
        s.History.Select(h => h with { Seconds = 0 }).ToArray(),
    ];

    [Test]
    public void ThreeEpochsSavedThenTwoMoreEqualFiveUninterruptedBitForBit()
    {
        var (train, validation) = Data();
        using var cpu = new CpuBackend<float>();
        using var straight = NewSession(cpu);
        straight.Fit(train, validation, epochs: 5, Options);

        using (var first = NewSession(cpu))
        {
            first.Fit(train, validation, epochs: 3, Options);
            first.SaveCheckpoint(Folder);
        }
        using var resumed = NewSession(cpu);
        resumed.LoadCheckpoint(Folder);
        Assert.That((resumed.Epoch, resumed.History.Count), Is.EqualTo((3, 3)));
        Assert.That(resumed.Network.Layers[3].Counters.Single(), Is.EqualTo(new LayerCounter("rng_calls", 3 * 5, false)),
            "Dropout's call count: 3 epochs of 5 batches");
        resumed.Fit(train, validation, epochs: 2, Options);

        Assert.That(resumed.History[4].LearningRate, Is.EqualTo(2e-3 * 0.25), "the schedule continues at epoch 4");
        var expected = Fingerprint(straight);
        var actual = Fingerprint(resumed);
        for (int i = 0; i < expected.Length; i++) Assert.That(actual[i], Is.EqualTo(expected[i]), $"fingerprint part {i}");
        Assert.That(resumed.History[4].ValidationAccuracy, Is.GreaterThan(0.3), "the run learns");
    }

    [Test]
    public void TrainingStateHoldsOptimizerCountersStepsAndHistory()
    {
        var (train, _) = Data();
        using var cpu = new CpuBackend<float>();
        using var session = NewSession(cpu);
        session.Fit(train, epochs: 1, options: Options);
        session.SaveCheckpoint(Folder);
        var state = SafeTensors.Load(Path.Combine(Folder, CheckpointFiles.TrainingState));
        int p = session.Network.Parameters.Length;
        Assert.That(state.Names, Is.EqualTo(new[]
        {
            "optimizer.exp_avg", "optimizer.exp_avg_sq", "counter.1.num_batches_tracked", "counter.3.rng_calls",
            "session.step", "session.epoch", "session.skipped_steps",
        }));
        Assert.That(state.Get("optimizer.exp_avg", SafeTensorDType.F32, p), Is.Not.Null);
        Assert.That(state.Get("session.step", SafeTensorDType.I64).ToInt64s(), Is.EqualTo(new[] { 5L }));
        Assert.That(state.Metadata["optimizer"], Is.EqualTo("Adam"));
        Assert.That(state.Metadata["optimizer_hyperparameters"], Does.Contain("\"LearningRate\":0.002").And.Contain("\"Beta2\":0.999"));
        Assert.That(state.Metadata["parameter_count"], Is.EqualTo(p.ToString()));
        Assert.That(state.Metadata["history"], Does.StartWith("[{\"Epoch\":1,"));
        var model = SafeTensors.Load(Path.Combine(Folder, CheckpointFiles.Model));
        Assert.That(state.Metadata["cudanet.checkpoint"], Is.EqualTo(model.Metadata["cudanet.checkpoint"]));
        Assert.That(Directory.GetFiles(Folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { CheckpointFiles.Model, CheckpointFiles.TrainingState }),
            "no temporary files left behind");
    }

    [Test]
    public void CheckpointsOfAnotherSessionAreRefusedWithoutChangingAnything()
    {
        var (train, _) = Data();
        using var cpu = new CpuBackend<float>();
        string other = PathOf("other");
        using (var session = NewSession(cpu))
        {
            session.Fit(train, epochs: 1, options: Options);
            session.SaveCheckpoint(Folder);
            session.Fit(train, epochs: 1, options: Options);
            session.SaveCheckpoint(other);
        }

        void Refused(TrainingSession<float> target, string folder, string message)
        {
            var before = Fingerprint(target);
            Assert.That(() => target.LoadCheckpoint(folder), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(message));
            var after = Fingerprint(target);
            for (int i = 0; i < before.Length; i++) Assert.That(after[i], Is.EqualTo(before[i]), $"{message}: part {i} unchanged");
        }

        using (var sgd = NewSession(cpu, new Sgd(0.1, momentum: 0.9))) Refused(sgd, Folder, "saved with optimizer Adam, but this session has Sgd");
        using (var lr = NewSession(cpu, new Adam(1e-3))) Refused(lr, Folder, "optimizer hyperparameters");
        using (var seed = NewSession(cpu, seed: 12)) Refused(seed, Folder, "model seed");
        using (var smaller = Mlp(hidden: 20).Compile(cpu, new Adam(2e-3), Loss.SoftmaxCrossEntropy, Seed))
            Refused(smaller, Folder, "another architecture");

        // A save torn between its two files: the model of one checkpoint, the training state of another.
        File.Copy(Path.Combine(other, CheckpointFiles.Model), Path.Combine(Folder, CheckpointFiles.Model), overwrite: true);
        using var target = NewSession(cpu);
        Refused(target, Folder, "not saved together");

        var state = SafeTensors.Load(Path.Combine(other, CheckpointFiles.TrainingState));
        SafeTensors.Save(Path.Combine(other, CheckpointFiles.TrainingState),
            state.Names.Where(n => n != "counter.3.rng_calls").Select(n => new KeyValuePair<string, SafeTensorEntry>(n, state.Tensors[n])).ToList(),
            state.Metadata);
        Refused(target, other, "Tensor 'counter.3.rng_calls' is missing");
    }

    private static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData(new Sgd(0.05, momentum: 0.9, nesterov: true)).SetName("Resume Sgd");
        yield return new TestCaseData(new RmsProp(1e-3, momentum: 0.5, centered: true)).SetName("Resume RmsProp");
        yield return new TestCaseData(new Adagrad(1e-2, lrDecay: 1e-3)).SetName("Resume Adagrad");
        yield return new TestCaseData(new Adadelta()).SetName("Resume Adadelta");
        yield return new TestCaseData(new Adam(1e-3, amsgrad: true)).SetName("Resume Adam amsgrad");
        yield return new TestCaseData(new Adamax()).SetName("Resume Adamax");
        yield return new TestCaseData(new NAdam()).SetName("Resume NAdam (scalar state)");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void EveryOptimizerResumesExactly(Optimizer optimizer)
    {
        var data = Synthetic(96, 12, 3, seed: 2);
        using var cpu = new CpuBackend<float>();
        TrainingSession<float> Make() => Mlp(inputs: 12, hidden: 8, classes: 3).Compile(cpu, optimizer, Loss.SoftmaxCrossEntropy, 4);
        var options = new FitOptions(BatchSize: 32);
        using var straight = Make();
        straight.Fit(data, epochs: 3, options: options);
        using (var first = Make())
        {
            first.Fit(data, epochs: 2, options: options);
            first.SaveCheckpoint(Folder);
        }
        using var resumed = Make();
        resumed.LoadCheckpoint(Folder);
        resumed.Fit(data, epochs: 1, options: options);
        Assert.That(Bits(cpu.ToArray(resumed.Network.Parameters)), Is.EqualTo(Bits(cpu.ToArray(straight.Network.Parameters))));
        Assert.That(resumed.OptimizerState.Scalars, Is.EqualTo(straight.OptimizerState.Scalars));
    }

    [Test]
    public void DoubleSessionsResumeExactlyToo()
    {
        var data = Synthetic(120, 12, 3, seed: 2);
        using var cpu = new CpuBackend<double>();
        TrainingSession<double> Make() => Mlp(inputs: 12, hidden: 8, classes: 3).Compile(cpu, new AdamW(1e-2), Loss.SoftmaxCrossEntropy, 4);
        var options = new FitOptions(BatchSize: 32, Schedule: new CosineAnnealing(4));
        using var straight = Make();
        straight.Fit(data, epochs: 4, options: options);
        using (var first = Make())
        {
            first.Fit(data, epochs: 1, options: options);
            first.SaveCheckpoint(Folder);
        }
        using var resumed = Make();
        resumed.LoadCheckpoint(Folder);
        resumed.Fit(data, epochs: 3, options: options);
        Assert.That(cpu.ToArray(resumed.Network.Parameters), Is.EqualTo(cpu.ToArray(straight.Network.Parameters)));
        Assert.That(resumed.History.Select(h => h.Loss), Is.EqualTo(straight.History.Select(h => h.Loss)));
    }
}
