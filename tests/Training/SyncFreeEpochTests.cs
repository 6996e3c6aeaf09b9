using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.Tests.Verification;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

/// <summary>
/// Training with the step control (issue 5): the same results as the host-read loop it replaced, bit for bit, and no
/// read from the backend inside an epoch in <see cref="NonFinite.Skip"/> mode.
/// </summary>
public sealed class SyncFreeEpochTests
{
    private static Sequential Model() => new(new Dense(6, 16), new BatchNorm(16), new ReLU(), new Dropout(0.1), new Dense(16, 3));

    private static readonly Dataset Clean = Blobs.Make(96, 6, 3, separation: 1, seed: 8);

    /// <summary>Clean with a NaN feature in example 40 (the second batch of 32 without shuffling).</summary>
    private static Dataset Poisoned()
    {
        var features = (float[])Clean.Features.Clone();
        features[40 * 6 + 2] = float.NaN;
        return Dataset.WithLabels(features, 6, Clean.Labels!, 3);
    }

    private static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData(new Adam(1e-2)).SetName("{m}(Adam)");
        yield return new TestCaseData(new AdamW(1e-2, amsgrad: true)).SetName("{m}(AdamW AMSGrad)");
        yield return new TestCaseData(Adam.Keras(1e-2)).SetName("{m}(Adam Keras)");
        yield return new TestCaseData(new NAdam(1e-2, weightDecay: 1e-3)).SetName("{m}(NAdam)");
        yield return new TestCaseData(new Sgd(0.1, momentum: 0.9, nesterov: true)).SetName("{m}(SGD Nesterov)");
        yield return new TestCaseData(new RmsProp(1e-2, momentum: 0.5, centered: true)).SetName("{m}(RMSprop)");
        yield return new TestCaseData(Adagrad.Keras(0.1)).SetName("{m}(Adagrad Keras)");
        yield return new TestCaseData(new Adadelta(1.0, weightDecay: 1e-2)).SetName("{m}(Adadelta)");
        yield return new TestCaseData(new Adamax(1e-2)).SetName("{m}(Adamax)");
    }

    /// <summary>Three epochs with a NaN batch, clipping and BatchNorm: Fit equals the loop Fit ran before the step
    /// control (read ‖g‖² and the loss each step, skip and restore the running statistics, or Scale and update).</summary>
    [TestCaseSource(nameof(Optimizers))]
    public void AnInjectedNonFiniteBatchGivesTheHostReadLoopsResult(Optimizer optimizer)
    {
        using var cpu = new CpuBackend<float>();
        var options = new FitOptions(BatchSize: 32, Shuffle: false, MaxGradNorm: 0.5, Schedule: new StepDecay(1, 0.5));
        using var session = Model().Compile(cpu, optimizer, Loss.SoftmaxCrossEntropy, seed: 4);
        using var legacy = Model().Compile(cpu, optimizer, Loss.SoftmaxCrossEntropy, seed: 4);
        var metrics = session.Fit(Poisoned(), epochs: 3, options: options);
        var (step, skipped) = HostReadLoop(legacy, Poisoned(), epochs: 3, options);

        Assert.That((session.Step, session.SkippedSteps), Is.EqualTo((step, skipped)));
        Assert.That((step, skipped), Is.EqualTo((6L, 3L)));
        Assert.That(metrics.Select(m => m.SkippedSteps), Is.EqualTo(new[] { 1, 1, 1 }));
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.EqualTo(cpu.ToArray(legacy.Network.Parameters)));
        Assert.That(cpu.ToArray(session.Network.Buffers!), Is.EqualTo(cpu.ToArray(legacy.Network.Buffers!)));
        Assert.That(session.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor)),
            Is.EqualTo(legacy.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor))));
        Assert.That(session.OptimizerState.Scalars, Is.EquivalentTo(legacy.OptimizerState.Scalars));
    }

    /// <summary>TrainingSession's epoch loop before the step control, on the session's own network and state.</summary>
    private static (long Step, long Skipped) HostReadLoop(TrainingSession<float> session, Dataset train, int epochs, FitOptions options)
    {
        var backend = session.Backend;
        var network = session.Network;
        int batch = Math.Min(options.BatchSize, train.Count);
        using var data = new ResidentData<float>(backend, train, batch);
        network.Reserve(batch);
        using var loss = backend.Allocate<float>(1);
        using var norm = backend.Allocate<float>(1);
        using var before = backend.Allocate<float>(network.Buffers!.Length);
        long step = 0, skipped = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double lr = options.Schedule!.LearningRate(epoch, session.Optimizer.LearningRate);
            data.Arrange(null, epoch);
            for (int start = 0; start < data.Count; start += batch)
            {
                int rows = Math.Min(batch, data.Count - start);
                var (indices, targets) = data.Batch(start, rows);
                backend.Copy(before, network.Buffers!);
                backend.GatherRows(network.Input(rows), data.Features, indices);
                var output = network.Forward(rows, training: true);
                session.Loss.Compute(backend, loss, network.OutputGradient, output, targets);
                network.Backward();
                backend.SquaredNorm(norm, network.Gradients);
                double squared = backend.ToArray(norm)[0];
                if (!double.IsFinite(squared) || !double.IsFinite(backend.ToArray(loss)[0]))
                {
                    skipped++;
                    backend.Copy(network.Buffers!, before);
                    continue;
                }
                if (Math.Sqrt(squared) > options.MaxGradNorm!.Value)
                    backend.Scale(network.Gradients, network.Gradients, options.MaxGradNorm.Value / (Math.Sqrt(squared) + 1e-6));
                session.OptimizerState.Step(lr, ++step);
            }
        }
        return (step, skipped);
    }

    /// <summary>A backend that records every Download: the element type and length read.</summary>
    private sealed class CountingBackend(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public List<(Type Element, int Length)> Reads { get; } = [];

        public override void Download<TElement>(Tensor<TElement> source, Span<TElement> destination)
        {
            Reads.Add((typeof(TElement), source.Length));
            base.Download(source, destination);
        }
    }

    /// <summary>Records how many reads the backend had seen at each batch end and at each epoch end.</summary>
    private sealed class ReadProbe(CountingBackend backend) : Callback
    {
        public int AtTrainBegin { get; private set; }
        public List<int> AtBatchEnd { get; } = [];
        public List<int> AtEpochEnd { get; } = [];

        public override void OnTrainBegin(ITrainingRun run) => AtTrainBegin = backend.Reads.Count;
        public override void OnBatchEnd(ITrainingRun run, int batch, int batches) => AtBatchEnd.Add(backend.Reads.Count);
        public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics) => AtEpochEnd.Add(backend.Reads.Count);
    }

    [Test]
    public void SkipModeReadsNothingInsideAnEpochAndTheStepControlOnceAtItsEnd()
    {
        using var counting = new CountingBackend(new CpuBackend<float>());
        using var session = Model().Compile(counting, new NAdam(1e-2), Loss.SoftmaxCrossEntropy, seed: 4);
        var probe = new ReadProbe(counting);
        var metrics = session.Fit(Poisoned(), epochs: 2, options: new FitOptions(BatchSize: 32, Shuffle: false, MaxGradNorm: 0.5),
            callbacks: [probe]);

        Assert.That(metrics.Select(m => m.SkippedSteps), Is.EqualTo(new[] { 1, 1 }), "the NaN batch was skipped without a read");
        Assert.That(probe.AtBatchEnd, Has.Count.EqualTo(6));
        Assert.That(probe.AtBatchEnd.Take(3), Is.All.EqualTo(probe.AtTrainBegin), "epoch 1: no read before its end");
        Assert.That(probe.AtBatchEnd.Skip(3), Is.All.EqualTo(probe.AtEpochEnd[0]), "epoch 2: no read before its end");
        // At each epoch end: the step control's state (9 doubles) once, then the loss sum and the correct count.
        var firstEnd = counting.Reads.Skip(probe.AtTrainBegin).Take(probe.AtEpochEnd[0] - probe.AtTrainBegin).ToList();
        Assert.That(firstEnd, Is.EqualTo(new[] { (typeof(double), 9), (typeof(float), 1), (typeof(int), 1) }));
        Assert.That(session.Step, Is.EqualTo(4));
    }

    [Test]
    public void StepReadFromABatchCallbackIsTheAppliedCountSoFar()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Model().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 4);
        var probe = new BatchSteps(() => (session.Step, session.SkippedSteps));
        session.Fit(Poisoned(), epochs: 2, options: new FitOptions(BatchSize: 32, Shuffle: false), callbacks: [probe]);
        Assert.That(probe.Seen, Is.EqualTo(new[] { (1L, 0L), (1L, 1L), (2L, 1L), (3L, 1L), (3L, 2L), (4L, 2L) }));
    }

    /// <summary>A checkpoint written from a batch callback, mid-epoch, holds what was applied so far: the step and
    /// skip counts and NAdam's μ product, which live on the backend until the epoch ends.</summary>
    [Test]
    public void ACheckpointSavedMidEpochHoldsTheStepsAppliedSoFar()
    {
        string folder = Directory.CreateTempSubdirectory("cudanet-midepoch-").FullName;
        try
        {
            using var cpu = new CpuBackend<float>();
            var optimizer = new NAdam(1e-2);
            using var session = Model().Compile(cpu, optimizer, Loss.SoftmaxCrossEntropy, seed: 4);
            // Epoch 1: step, skip, step; epoch 2: step, skip (saved here), step.
            var save = new SaveAtBatch(epoch: 1, batch: 2, folder);
            session.Fit(Poisoned(), epochs: 2, options: new FitOptions(BatchSize: 32, Shuffle: false), callbacks: [save]);
            using var loaded = Model().Compile(cpu, optimizer, Loss.SoftmaxCrossEntropy, seed: 4);
            loaded.LoadCheckpoint(folder);
            Assert.That((loaded.Step, loaded.SkippedSteps, loaded.Epoch), Is.EqualTo((3L, 2L, 1)));
            Assert.That(loaded.OptimizerState.Scalars["mu_product"], Is.EqualTo(optimizer.Settings.MuProduct(3)));
            Assert.That(loaded.OptimizerState.Scalars["mu_product_step"], Is.EqualTo(3));
            Assert.That((session.Step, session.SkippedSteps), Is.EqualTo((4L, 2L)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class SaveAtBatch(int epoch, int batch, string folder) : Callback
    {
        public override void OnBatchEnd(ITrainingRun run, int at, int batches)
        {
            if (run.Epoch == epoch && at == batch) ((ICheckpointTarget)run).SaveCheckpoint(folder, includeTrainingState: true);
        }
    }

    private sealed class BatchSteps(Func<(long, long)> read) : Callback
    {
        public List<(long, long)> Seen { get; } = [];
        public override void OnBatchEnd(ITrainingRun run, int batch, int batches) => Seen.Add(read());
    }
}
