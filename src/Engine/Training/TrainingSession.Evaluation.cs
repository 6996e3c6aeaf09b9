using System.Runtime.InteropServices;
using CudaNet.Data;

namespace CudaNet;

public sealed partial class TrainingSession<T>
{
    /// <summary>Mean loss and accuracy of the network on <paramref name="data"/> in evaluation mode (on a backend with step
    /// graphs, each full batch is one replayed graph).</summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Evaluate: batch size must be >= 1.");
        CheckData(data, nameof(data));
        using var guard = Enter();
        int batch = Math.Min(batchSize, data.Count);
        using var resident = new ResidentData<T>(Backend, data, batch);
        Network.Reserve(batch);
        using var graph = CreateStepGraph();
        var evaluation = EvaluateCore(resident, batch, graph);
        _pendingEvaluation = default;
        return evaluation;
    }

    private Evaluation EvaluateCore(ResidentData<T> data, int batch, IStepGraph? graph)
    {
        data.Arrange(seed: null, epoch: 0);
        _evalTotals.Reset();
        for (int start = 0; start < data.Count; start += batch)
        {
            int rows = Math.Min(batch, data.Count - start);
            _pendingEvaluation = new PendingEvaluation(data, start, rows);
            if (graph is not null && rows == batch) graph.Run(_runPendingEvaluation ??= RunPendingEvaluation);
            else RunPendingEvaluation();
        }
        var (loss, accuracy) = _evalTotals.Read(data.Count, data.HasLabels);
        return new Evaluation(loss, accuracy, data.Count);
    }

    /// <summary>One evaluation batch (<see cref="_pendingEvaluation"/>): gather, forward, loss, totals; only queues ops.</summary>
    private void RunPendingEvaluation()
    {
        var (data, start, rows) = _pendingEvaluation;
        var (indices, targets) = data.Batch(start, rows);
        Backend.GatherRows(Network.Input(rows), data.Features, indices);
        var output = Network.Forward(rows, training: false);
        Loss.Compute(Backend, _batchLoss, null, output, targets);
        _evalTotals.Add(_batchLoss, rows, output, targets.Labels);
    }

    /// <summary>The batch the next <see cref="RunPendingEvaluation"/> evaluates.</summary>
    private readonly record struct PendingEvaluation(ResidentData<T> Data, int Start, int Rows);

    /// <summary>
    /// The network's outputs (logits for a classifier) for the rows of <paramref name="input"/> (rows × input
    /// features) into <paramref name="output"/> (rows × output features), in evaluation mode. Allocates nothing
    /// once the arena fits the batch. One call at a time per session (concurrent calls throw).
    /// </summary>
    public void Predict(ReadOnlySpan<float> input, Span<float> output)
    {
        int features = Network.InputFeatures;
        if (input.Length == 0 || input.Length % features != 0)
            throw new ArgumentException($"Predict: input has {input.Length} values, not a positive multiple of {features} features.", nameof(input));
        int rows = input.Length / features;
        if (output.Length != rows * Network.OutputFeatures)
            throw new ArgumentException($"Predict: output has {output.Length} values but {rows} rows need {rows * Network.OutputFeatures}.", nameof(output));
        using var guard = Enter();
        Network.Reserve(rows);
        if (typeof(T) == typeof(float))
        {
            Backend.Upload(Network.Input(rows), MemoryMarshal.Cast<float, T>(input));
            Backend.Download(Network.Forward(rows, training: false), MemoryMarshal.Cast<float, T>(output));
            return;
        }
        var host = new T[Math.Max(input.Length, output.Length)];
        for (int i = 0; i < input.Length; i++) host[i] = T.CreateTruncating(input[i]);
        Backend.Upload(Network.Input(rows), host.AsSpan(0, input.Length));
        Backend.Download(Network.Forward(rows, training: false), host.AsSpan(0, output.Length));
        for (int i = 0; i < output.Length; i++) output[i] = float.CreateTruncating(host[i]);
    }

    /// <summary>Outputs for every example of <paramref name="data"/> (rows × output features).</summary>
    public float[] Predict(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var output = new float[data.Count * Network.OutputFeatures];
        Predict(data.Features, output);
        return output;
    }

    private string DescribeNonFinite(int rows)
    {
        for (int i = 0; i < Network.Layers.Count; i++)
        {
            Backend.SquaredNorm(_gradNorm, Network.LayerOutput(i));
            if (!double.IsFinite(ReadScalar(_gradNorm)))
                return $"Step {Step + 1}: the output of layer {i} ({Network.Model.Layers[i].GetType().Name}) is not finite.";
        }
        foreach (var (name, parameter) in Network.NamedParameters)
        {
            Backend.SquaredNorm(_gradNorm, parameter.Gradient);
            if (!double.IsFinite(ReadScalar(_gradNorm))) return $"Step {Step + 1}: the gradient of '{name}' is not finite.";
        }
        return $"Step {Step + 1}: the loss of the batch of {rows} rows is not finite.";
    }

    /// <inheritdoc/>
    public object SnapshotWeights() =>
        new WeightSnapshot(Backend.ToArray(Network.Parameters), Network.Buffers is null ? null : Backend.ToArray(Network.Buffers));

    /// <inheritdoc/>
    public void RestoreWeights(object snapshot)
    {
        if (snapshot is not WeightSnapshot weights || weights.Parameters.Length != Network.Parameters.Length)
            throw new ArgumentException("RestoreWeights: not a snapshot taken by this session's SnapshotWeights.", nameof(snapshot));
        Backend.Upload(Network.Parameters, weights.Parameters);
        if (Network.Buffers is not null && weights.Buffers is not null) Backend.Upload(Network.Buffers, weights.Buffers);
    }

    private sealed record WeightSnapshot(T[] Parameters, T[]? Buffers);

    /// <summary>Loss sum and correct count of an epoch or an evaluation, accumulated on the backend.</summary>
    private sealed class Totals(IBackend<T> backend) : IDisposable
    {
        private readonly Tensor<T> _lossSum = backend.Allocate<T>(1);
        private readonly Tensor<int> _correct = backend.Allocate<int>(1);

        public void Reset()
        {
            backend.Fill(_lossSum, 0);
            backend.Upload(_correct, [0]);
        }

        public void Add(Tensor<T> batchLoss, int rows, Tensor<T> output, Tensor<int>? labels)
        {
            backend.Axpy(_lossSum, batchLoss, rows);
            if (labels is not null) backend.ArgMaxCountCorrect(_correct, output, labels);
        }

        public (double Loss, double? Accuracy) Read(int count, bool hasLabels)
        {
            Span<T> loss = stackalloc T[1];
            Span<int> correct = stackalloc int[1];
            backend.Download(_lossSum, loss);
            backend.Download(_correct, correct);
            return (double.CreateTruncating(loss[0]) / count, hasLabels ? correct[0] / (double)count : null);
        }

        public void Dispose()
        {
            _lossSum.Dispose();
            _correct.Dispose();
        }
    }
}
