using CudaNet.Data;

namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    /// <summary>
    /// On a backend with step graphs (<see cref="IStepGraphBackend"/>; nothing on the CPU): a small MLP with BatchNorm
    /// and dropout trained for two epochs with its full batches replayed as graphs must end with the same parameters
    /// and running statistics, bit for bit, as the same training run step by step on the same backend. The graph path
    /// changes how the step's work reaches the device, never the work, so the comparison is against this backend
    /// rather than the CPU reference.
    /// </summary>
    private static void StepGraph(VerificationHarness h)
    {
        if (h.Actual is not IStepGraphBackend) return;
        const int rows = 200, features = 12, classes = 4, batch = 32; // 6 full batches and one of 8 per epoch
        var train = Dataset.WithLabels(h.Uniform(rows * features), features, h.Labels(rows, classes), classes);
        float[] Train(bool useGraphs)
        {
            var model = new Sequential(new CudaNet.Dense(features, 32), new BatchNorm(32), new ReLU(), new Dropout(0.25),
                new CudaNet.Dense(32, classes));
            using var session = model.Compile(h.Actual, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 11);
            session.Fit(train, epochs: 2, options: new FitOptions(BatchSize: batch, MaxGradNorm: 1, UseGraphs: useGraphs));
            return [.. h.Actual.ToArray(session.Network.Parameters), .. h.Actual.ToArray(session.Network.Buffers!)];
        }
        float[]? direct = null;
        string? error = VerificationHarness.Try(() => direct = Train(useGraphs: false));
        if (error is not null)
        {
            h.Rows.Add(Comparison.Failed(nameof(StepGraph), "training without graphs", "parameters", VerificationTolerance.BitExact,
                "threw " + error));
            return;
        }
        h.Record(nameof(StepGraph), $"{rows}×{features} MLP, BN + dropout, Adam, batch {batch}, 2 epochs: graphs vs direct",
            "parameters and running statistics", VerificationTolerance.BitExact, () => Train(useGraphs: true), direct!);
    }
}
