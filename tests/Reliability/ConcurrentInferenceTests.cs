using CudaNet.Cpu;
using CudaNet.Tests.Support;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// Inference from many threads on one trained model (<see cref="Predictor{T}"/>) equals sequential inference bit for
/// bit, also for layers with inference-time scratch (LayerNorm, DropConnect moment matching, BatchNorm); the training
/// session itself stays single-threaded and says so (tests/Training/SessionConcurrencyTests).
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class ConcurrentInferenceTests(string backendName)
{
    private const int Threads = 8, CallsPerThread = 60;

    private static Sequential Model() => new(
        new Dense(10, 32), new BatchNorm(32), new ReLU(), new Dropout(0.3), new LayerNorm(32),
        new DropConnect(32, 24, p: 0.3, inference: DropConnectInference.MomentMatching, samples: 16),
        new GaussianNoise(0.1), new GroupNorm(4, 24), new Dense(24, 5));

    [Test]
    public void EightThreadsOfPredictionsEqualSequentialOnes()
    {
        using var backend = TestBackends.Create(backendName);
        var data = Blobs.Make(300, 10, 5, separation: 1.5, seed: 4);
        using var session = Model().Compile(backend, new Adam(), Loss.SoftmaxCrossEntropy);
        session.Fit(data, epochs: 2, options: new FitOptions(BatchSize: 32));

        // Batches of varied sizes (1..40 rows) at varied offsets, each predicted once sequentially by the session.
        var random = new Random(3);
        var batches = Enumerable.Range(0, Threads * CallsPerThread).Select(_ =>
        {
            int rows = random.Next(1, 41), start = random.Next(data.Count - rows);
            return data.Features.AsSpan(start * 10, rows * 10).ToArray();
        }).ToArray();
        var expected = batches.Select(b =>
        {
            var y = new float[b.Length / 10 * 5];
            session.Predict(b, y);
            return y;
        }).ToArray();

        using var predictor = session.CreatePredictor();
        var actual = new float[batches.Length][];
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int k = 0; k < CallsPerThread; k++)
            {
                // Interleaved so every thread runs every batch size against its neighbours.
                int i = k * Threads + t;
                actual[i] = new float[expected[i].Length];
                predictor.Predict(batches[i], actual[i]);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        for (int i = 0; i < batches.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]), $"batch {i}: bit-identical to sequential inference");
        Assert.That(predictor.Contexts, Is.InRange(1, Threads), "one inference context per concurrent caller at most");
        TestContext.Out.WriteLine($"{backendName}: {Threads} threads × {CallsPerThread} predictions equal to sequential ones; " +
                                  $"{predictor.Contexts} inference contexts built");
    }

    [Test]
    public void PredictorsFreeTheirContextsAndRefuseADisposedNetwork()
    {
        using var backend = TestBackends.Create(backendName);
        var network = Model().Build(backend, seed: 5);
        long baseline = backend.Allocations.LiveCount;
        var predictor = network.CreatePredictor();
        var y = new float[5];
        predictor.Predict(new float[10], y);
        Assert.That(backend.Allocations.LiveCount, Is.GreaterThan(baseline));
        predictor.Dispose();
        predictor.Dispose();
        Assert.That(backend.Allocations.LiveCount, Is.EqualTo(baseline), "the context's arena and scratch are freed");
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(new float[10], y));
        using var other = network.CreatePredictor();
        network.Dispose();
        Assert.Throws<ObjectDisposedException>(() => other.Predict(new float[10], y));
        Assert.Throws<ObjectDisposedException>(() => network.CreatePredictor());
    }

    [Test]
    public void BadShapesNameThePredictorAndTheArgument()
    {
        using var backend = TestBackends.Create(backendName);
        using var network = Model().Build(backend, seed: 5);
        using var predictor = network.CreatePredictor();
        var e = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[15], new float[5]));
        Assert.That(e!.ParamName, Is.EqualTo("input"));
        Assert.That(e.Message, Does.Contain("Predictor.Predict").And.Contain("10 features"));
        e = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[20], new float[5]));
        Assert.That(e!.ParamName, Is.EqualTo("output"));
        Assert.That(e.Message, Does.Contain("Predictor.Predict").And.Contain("2 rows need 10"));
    }
}
