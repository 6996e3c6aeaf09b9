using CudaNet.Cuda;
using CudaNet.Data;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// Step graphs on a GPU (ignored without one): replayed steps compute exactly what the same ops queued directly
/// compute, host transfers inside a step are refused, and training with graphs equals training without, bit for bit.
/// </summary>
[TestFixture]
public sealed class StepGraphCudaTests
{
    private CudaBackend _cuda = null!;

    [OneTimeSetUp]
    public void CreateBackend()
    {
        if (!CudaBackend.TryCreate(out var backend, out string reason)) Assert.Ignore($"CUDA unavailable: {reason}.");
        _cuda = backend!;
        _cuda.SynchronizeAfterEachLaunch = false;
    }

    [OneTimeTearDown]
    public void DisposeBackend() => _cuda?.Dispose();

    [Test]
    public void ReplayedStepsComputeWhatDirectStepsCompute()
    {
        var source = Enumerable.Range(0, 1200).Select(i => (float)Math.Sin(i)).ToArray();
        using var x = _cuda.FromArray(source, 1200);
        using var graphY = _cuda.Allocate<float>(1000);
        using var graphZ = _cuda.Allocate<float>(1000);
        using var directY = _cuda.Allocate<float>(1000);
        using var directZ = _cuda.Allocate<float>(1000);
        void Step(Tensor<float> y, Tensor<float> z, int step)
        {
            _cuda.Axpy(y, x.View(40 * step, 1000), 0.25 + step); // a view and a scalar that change every step
            _cuda.Copy(z, y);
            _cuda.Scale(z, z, 0.5);
        }
        using var graph = _cuda.CreateStepGraph()!;
        for (int step = 0; step < 5; step++)
        {
            int current = step;
            graph.Run(() => Step(graphY, graphZ, current));
            Step(directY, directZ, step);
        }
        Assert.That(_cuda.ToArray(graphY), Is.EqualTo(_cuda.ToArray(directY)));
        Assert.That(_cuda.ToArray(graphZ), Is.EqualTo(_cuda.ToArray(directZ)));
        Assert.That(graph.Counters, Is.EqualTo(new StepGraphCounters(5, Captures: 1, Replays: 4, UpdatedNodes: 4, Commands: 3)));
    }

    [Test]
    public void HostTransfersInsideAStepAreRefusedAndTheBackendCarriesOn()
    {
        using var t = _cuda.FromArray(new float[] { 1, 2, 3 }, 3);
        using var graph = _cuda.CreateStepGraph()!;
        var error = Assert.Throws<InvalidOperationException>(() => graph.Run(() => _cuda.ToArray(t)));
        Assert.That(error!.Message, Does.Contain("Download cannot run inside a step graph's step"));
        Assert.Throws<InvalidOperationException>(() => graph.Run(() => _cuda.Upload(t, new float[] { 4, 5, 6 })));
        Assert.Throws<InvalidOperationException>(() => graph.Run(_cuda.Synchronize));
        graph.Run(() => _cuda.Scale(t, t, 2));
        Assert.That(_cuda.ToArray(t), Is.EqualTo(new float[] { 2, 4, 6 }));
    }

    [Test]
    public void SynchronousModeRunsWithoutGraphs()
    {
        _cuda.SynchronizeAfterEachLaunch = true;
        try
        {
            Assert.That(_cuda.CreateStepGraph(), Is.Null);
        }
        finally
        {
            _cuda.SynchronizeAfterEachLaunch = false;
        }
    }

    [Test]
    public void TrainingWithGraphsEqualsTrainingWithout()
    {
        var train = Blobs.Make(300, 12, 4, separation: 1, seed: 5);
        Sequential Model() => new(new Dense(12, 32), new BatchNorm(32), new ReLU(), new Dropout(0.2), new Dense(32, 4));
        float[] Train(bool useGraphs)
        {
            using var session = Model().Compile(_cuda, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 9);
            session.Fit(train, epochs: 3, options: new FitOptions(BatchSize: 64, MaxGradNorm: 1, UseGraphs: useGraphs));
            return [.. _cuda.ToArray(session.Network.Parameters), .. _cuda.ToArray(session.Network.Buffers!)];
        }
        Assert.That(Train(useGraphs: true), Is.EqualTo(Train(useGraphs: false)));
    }
}
