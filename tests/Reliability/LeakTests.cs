using System.Runtime.CompilerServices;
using CudaNet.Cpu;
using CudaNet.Tests.Support;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// DESIGN.md §3: no allocation inside training, explicit disposal, and a forgotten Dispose still freed. Figures come
/// from the backend's live-allocation counter (count and bytes).
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class LeakTests(string backendName)
{
    private static Sequential Mlp() => new(
        new Dense(12, 32), new BatchNorm(32), new ReLU(), new Dropout(0.2), new LayerNorm(32),
        new DropConnect(32, 16, p: 0.2), new Dense(16, 4));

    private sealed class Probe(IBackend<float> backend) : Callback
    {
        public List<(long Count, long Bytes)> AfterEpoch { get; } = [];

        public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics) =>
            AfterEpoch.Add((backend.Allocations.LiveCount, backend.Allocations.LiveBytes));
    }

    [Test]
    public void ThousandTrainingStepsKeepLiveAllocationsFlat()
    {
        using var backend = TestBackends.Create(backendName);
        var train = Blobs.Make(64, 12, 4, separation: 1, seed: 2);
        using var session = Mlp().Compile(backend, new Adam(), Loss.SoftmaxCrossEntropy);
        var before = (backend.Allocations.LiveCount, backend.Allocations.LiveBytes);
        var probe = new Probe(backend);
        // 4 steps per epoch, 250 epochs: 1,000 steps, the counter read after each epoch.
        session.Fit(train, epochs: 250, options: new FitOptions(BatchSize: 16), callbacks: [probe]);
        Assert.That(session.Step, Is.EqualTo(1000));
        Assert.That(probe.AfterEpoch.Distinct().ToList(), Has.Count.EqualTo(1), "live count and bytes never move after the first epoch");
        Assert.That(backend.Allocations.LiveCount, Is.LessThan(probe.AfterEpoch[0].Count), "Fit frees its resident data");
        Assert.That(backend.Allocations.LiveCount, Is.GreaterThan(before.LiveCount), "the arena, sized once, stays with the network");
        TestContext.Out.WriteLine($"{backendName}: 1,000 steps, live allocations {probe.AfterEpoch[0].Count} buffers / " +
                                  $"{probe.AfterEpoch[0].Bytes} bytes after every epoch");
    }

    [Test]
    public void HundredModelsSessionsAndPredictorsCreatedAndDisposedReturnToTheBaseline()
    {
        using var backend = TestBackends.Create(backendName);
        var data = Blobs.Make(40, 12, 4, separation: 1, seed: 3);
        var baseline = (backend.Allocations.LiveCount, backend.Allocations.LiveBytes);
        for (int i = 0; i < 100; i++)
        {
            using var session = Mlp().Compile(backend, new Sgd(0.1, momentum: 0.9), Loss.SoftmaxCrossEntropy, seed: (ulong)i);
            session.Fit(data, epochs: 1, options: new FitOptions(BatchSize: 16));
            using var predictor = session.CreatePredictor();
            Assert.That(predictor.Predict(data), Has.Length.EqualTo(160));
            session.Network.Dispose();
        }
        Assert.That((backend.Allocations.LiveCount, backend.Allocations.LiveBytes), Is.EqualTo(baseline));
    }

    [Test]
    public void HundredBackendsCreatedAndDisposedHoldNothing()
    {
        var data = Blobs.Make(40, 12, 4, separation: 1, seed: 3);
        for (int i = 0; i < (backendName == "cuda" ? 20 : 100); i++)
        {
            var backend = TestBackends.Create(backendName);
            var counter = backend.Allocations;
            using (var session = Mlp().Compile(backend, new Adam(), Loss.SoftmaxCrossEntropy, seed: (ulong)i))
            {
                session.Network.Reserve(16);
                session.Evaluate(data);
                session.Network.Dispose();
            }
            Assert.That((counter.LiveCount, counter.LiveBytes), Is.EqualTo((0L, 0L)), $"backend {i}");
            backend.Dispose();
            backend.Dispose();
        }
    }

    [Test]
    public void AModelNeverDisposedIsFreedByItsFinalizers()
    {
        using var backend = TestBackends.Create(backendName);
        var baseline = (backend.Allocations.LiveCount, backend.Allocations.LiveBytes);
        long held = TrainAndAbandon(backend);
        Assert.That(held, Is.GreaterThan(0));
        for (int i = 0; i < 3 && backend.Allocations.LiveCount != baseline.LiveCount; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.That((backend.Allocations.LiveCount, backend.Allocations.LiveBytes), Is.EqualTo(baseline),
            $"{held} bytes of an abandoned session, network and predictor were released by their SafeHandles");
        TestContext.Out.WriteLine($"{backendName}: an abandoned session held {held} bytes; all freed after GC and finalizers");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long TrainAndAbandon(IBackend<float> backend)
    {
        long before = backend.Allocations.LiveBytes;
        var session = Mlp().Compile(backend, new Adam(), Loss.SoftmaxCrossEntropy);
        session.Fit(Blobs.Make(40, 12, 4, separation: 1, seed: 3), epochs: 1, options: new FitOptions(BatchSize: 16));
        session.CreatePredictor().Predict(new float[12], new float[4]);
        return backend.Allocations.LiveBytes - before;
    }}
