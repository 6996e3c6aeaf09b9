using BenchmarkDotNet.Attributes;
using CudaNet.Data;

namespace CudaNet.Bench.Families;

/// <summary>
/// One epoch of <c>cudanet train</c>'s default model (784-512-512-10, Dense → BatchNorm → ReLU → Dropout 0.2 per
/// hidden layer, Adam, batch 128) over 8192 synthetic rows: 64 steps, every one a full batch. With
/// <see cref="UseGraphs"/> on a GPU, Fit replays each step as a CUDA graph; off, it launches every kernel directly,
/// so the two rows compare graph replay with direct launches. On the CPU the flag changes nothing (the CPU backend
/// has no step graphs), and the two rows measure the same work. Napkin math: a step's GEMMs are
/// 2·128·(784·512 + 512·512 + 512·10) = 0.171 GFLOP forward and 0.240 GFLOP backward (dW for every layer, 0.171;
/// dX for all but the first, 0.068), so an epoch is 26.3 GFLOP; samples/s = 8192 / time in s.
/// </summary>
/// <remarks>Each invocation fits <see cref="Epochs"/> epochs and reports the time per epoch, so Fit's once-per-call
/// costs (uploading the 25 MB data set, capturing the graph) are spread as in a real multi-epoch run.</remarks>
[MemoryDiagnoser]
public class TrainingStepBenchmarks : DeviceBenchmark
{
    private const int Rows = 8192, Features = 784, Classes = 10, Epochs = 4;
    private Dataset _train = null!;
    private TrainingSession<float> _session = null!;
    private FitOptions _options = null!;

    /// <summary>Replay each full batch as a CUDA graph (see <see cref="FitOptions.UseGraphs"/>).</summary>
    [Params(true, false)]
    public bool UseGraphs { get; set; }

    /// <inheritdoc/>
    protected override void Setup()
    {
        // The labels' pattern is irrelevant to speed; only their range matters.
        _train = Dataset.WithLabels(Data.Uniform(1, Rows * Features), Features,
            Enumerable.Range(0, Rows).Select(i => i % Classes).ToArray(), Classes);
        var model = new Sequential(
            new Dense(Features, 512), new BatchNorm(512), new ReLU(), new Dropout(0.2),
            new Dense(512, 512), new BatchNorm(512), new ReLU(), new Dropout(0.2),
            new Dense(512, Classes));
        _session = Own(model.Compile(Backend, new Adam(1e-3), Loss.SoftmaxCrossEntropy, seed: 1));
        _options = new FitOptions(BatchSize: 128, UseGraphs: UseGraphs);
    }

    /// <summary><see cref="Epochs"/> epochs of Fit, reported per epoch.</summary>
    [Benchmark(OperationsPerInvoke = Epochs)]
    public void Epoch()
    {
        _session.Fit(_train, epochs: Epochs, options: _options);
        Backend.Synchronize();
    }
}
