using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.Tests.Verification;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

/// <summary>
/// <c>Fit</c> on a backend with step graphs (<see cref="IStepGraphBackend"/>): every full batch runs through the graph,
/// the epoch's last, smaller batch directly; nothing inside a graph step touches the host; and the results are those of
/// the same training without graphs, bit for bit. The CUDA graph itself is tested in tests/Cuda/StepGraphTests.cs.
/// </summary>
public sealed class StepGraphSessionTests
{
    private static Sequential Model() => new(new Dense(6, 16), new BatchNorm(16), new ReLU(), new Dropout(0.2), new Dense(16, 3));

    /// <summary>100 examples in batches of 32: three full batches and one of 4 per epoch.</summary>
    private static readonly Dataset Train = Blobs.Make(100, 6, 3, separation: 1, seed: 8);

    [Test]
    public void FullBatchesRunThroughTheGraphWithTheResultsOfDirectSteps()
    {
        using var graphs = new GraphBackend(new CpuBackend<float>());
        using var plain = new CpuBackend<float>();
        var options = new FitOptions(BatchSize: 32, MaxGradNorm: 1, Schedule: new StepDecay(1, 0.5));
        using var session = Model().Compile(graphs, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        using var direct = Model().Compile(plain, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        var metrics = session.Fit(Train, Train, epochs: 2, options: options);
        var expected = direct.Fit(Train, Train, epochs: 2, options: options);

        Assert.That(graphs.Created, Has.Count.EqualTo(2), "one graph for training and one for validation, for the whole Fit");
        var (training, validation) = (graphs.Created[0], graphs.Created[1]);
        Assert.That(training.Counters.Steps, Is.EqualTo(6), "3 full batches × 2 epochs");
        Assert.That(training.GemmsPerStep, Is.All.EqualTo(5), "forward 2, backward 3 (no dX for the first layer)");
        Assert.That(validation.Counters.Steps, Is.EqualTo(6));
        Assert.That(validation.GemmsPerStep, Is.All.EqualTo(2), "forward only");
        Assert.That(graphs.GemmsOutsideGraphs, Is.EqualTo(2 * 5 + 2 * 2), "the 4-row batch of each epoch, trained and validated directly");
        Assert.That(training.Disposed && validation.Disposed, Is.True, "Fit frees its graphs");
        Assert.That(session.StepGraphs?.Steps, Is.EqualTo(6), "the session reports its training graph's counters");
        Assert.That(direct.StepGraphs, Is.Null, "no graphs on the plain CPU backend");
        Assert.That(metrics.Select(m => (m.Loss, m.Accuracy, m.ValidationLoss, m.ValidationAccuracy)),
            Is.EqualTo(expected.Select(m => (m.Loss, m.Accuracy, m.ValidationLoss, m.ValidationAccuracy))));
        Assert.That(graphs.ToArray(session.Network.Parameters), Is.EqualTo(plain.ToArray(direct.Network.Parameters)));
        Assert.That(graphs.ToArray(session.Network.Buffers!), Is.EqualTo(plain.ToArray(direct.Network.Buffers!)));
        Assert.That(session.OptimizerState.Tensors.Select(t => graphs.ToArray(t.Tensor)),
            Is.EqualTo(direct.OptimizerState.Tensors.Select(t => plain.ToArray(t.Tensor))));
        Assert.That(session.Step, Is.EqualTo(direct.Step));
    }

    [TestCase(false, NonFinite.Skip)]
    [TestCase(true, NonFinite.Throw)]
    public void NoTrainingGraphWhenTurnedOffOrWhenEachStepReadsTheHost(bool useGraphs, NonFinite onNonFinite)
    {
        using var graphs = new GraphBackend(new CpuBackend<float>());
        using var session = Model().Compile(graphs, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        session.Fit(Train, epochs: 1, options: new FitOptions(BatchSize: 32, UseGraphs: useGraphs, OnNonFinite: onNonFinite));
        Assert.That(graphs.Created, Is.Empty);
        Assert.That(graphs.GemmsOutsideGraphs, Is.EqualTo(4 * 5));
    }

    [Test]
    public void EvaluateRunsItsFullBatchesThroughAGraphWithTheDirectResult()
    {
        using var graphs = new GraphBackend(new CpuBackend<float>());
        using var session = Model().Compile(graphs, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        session.Fit(Train, epochs: 1, options: new FitOptions(BatchSize: 32, UseGraphs: false));
        var evaluation = session.Evaluate(Train, batchSize: 48); // 2 full batches and one of 4
        Assert.That(graphs.Created.Single().GemmsPerStep, Is.EqualTo(new[] { 2, 2 }));
        using var plain = new CpuBackend<float>();
        using var direct = Model().Compile(plain, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        direct.Fit(Train, epochs: 1, options: new FitOptions(BatchSize: 32));
        Assert.That(evaluation, Is.EqualTo(direct.Evaluate(Train, batchSize: 48)));
    }

    /// <summary>A CPU backend with a step graph that runs the step directly but refuses any host transfer or wait
    /// inside it (as the CUDA graph does) and counts the GEMMs of each step.</summary>
    private sealed class GraphBackend(IBackend<float> inner) : DelegatingBackend(inner), IStepGraphBackend
    {
        private CountingGraph? _running;

        public List<CountingGraph> Created { get; } = [];
        public int GemmsOutsideGraphs { get; private set; }

        public IStepGraph CreateStepGraph()
        {
            var graph = new CountingGraph(this);
            Created.Add(graph);
            return graph;
        }

        public override void Gemm(Tensor<float> c, Tensor<float> a, bool transposeA, Tensor<float> b, bool transposeB,
            double alpha, double beta, Tensor<float>? bias = null, Activation epilogue = default)
        {
            if (_running is { } graph) graph.Gemms++;
            else GemmsOutsideGraphs++;
            base.Gemm(c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue);
        }

        public override void Download<TElement>(Tensor<TElement> source, Span<TElement> destination)
        {
            RefuseInsideAStep(nameof(Download));
            base.Download(source, destination);
        }

        public override void Upload<TElement>(Tensor<TElement> destination, ReadOnlySpan<TElement> source)
        {
            RefuseInsideAStep(nameof(Upload));
            base.Upload(destination, source);
        }

        public override void Synchronize()
        {
            RefuseInsideAStep(nameof(Synchronize));
            base.Synchronize();
        }

        private void RefuseInsideAStep(string op)
        {
            if (_running is not null) Assert.Fail($"{op} inside a graph step");
        }

        public sealed class CountingGraph(GraphBackend backend) : IStepGraph
        {
            private long _steps;

            public int Gemms { get; set; }
            public List<int> GemmsPerStep { get; } = [];
            public bool Disposed { get; private set; }
            public StepGraphCounters Counters => new(_steps, 0, 0, 0, 0);

            public void Run(Action step)
            {
                Assert.That(Disposed, Is.False);
                backend._running = this;
                Gemms = 0;
                try
                {
                    step();
                }
                finally
                {
                    backend._running = null;
                }
                GemmsPerStep.Add(Gemms);
                _steps++;
            }

            public void Dispose() => Disposed = true;
        }
    }
}
