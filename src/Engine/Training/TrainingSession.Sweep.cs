using CudaNet.Data;

namespace CudaNet;

public sealed partial class TrainingSession<T>
{
    /// <summary>
    /// The training loop of <see cref="LearningRateFinder"/>: step i gathers the next full batch (reshuffled from the
    /// network's seed on each pass over <paramref name="train"/>), computes its loss in training mode, reports it to
    /// <paramref name="observe"/> (false stops the sweep) and then updates at <paramref name="learningRate"/>(i).
    /// Afterwards (also after an exception) the parameters, buffers, optimizer state and layer counters are put back
    /// bit for bit, so the sweep leaves no trace; <see cref="Step"/>, <see cref="Epoch"/> and the history are untouched.
    /// </summary>
    internal void Sweep(Dataset train, int batchSize, int steps, Func<int, double> learningRate, Func<int, double, bool> observe)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckData(train, nameof(train));
        using var guard = Enter();
        var saved = SavedState.Capture(this);
        try
        {
            int batch = Math.Min(batchSize, train.Count);
            int fullBatches = train.Count / batch;
            using var data = new ResidentData<T>(Backend, train, batch);
            Network.Reserve(batch);
            for (int i = 0; i < steps; i++)
            {
                int position = i % fullBatches;
                if (position == 0) data.Arrange(Network.Seed, i / fullBatches);
                var (indices, targets) = data.Batch(position * batch, batch);
                Backend.GatherRows(Network.Input(batch), data.Features, indices);
                var output = Network.Forward(batch, training: true);
                Loss.Compute(Backend, _batchLoss, Network.OutputGradient, output, targets);
                if (!observe(i, ReadScalar(_batchLoss))) break;
                Network.Backward();
                OptimizerState.Step(learningRate(i), Step + i + 1);
            }
        }
        finally
        {
            saved.Restore(this);
        }
    }

    /// <summary>Host copies of everything a training step changes, besides the gradients it overwrites.</summary>
    private sealed record SavedState(object Weights, T[][] OptimizerTensors, IReadOnlyDictionary<string, double> OptimizerScalars,
        LayerCounter[][] Counters)
    {
        public static SavedState Capture(TrainingSession<T> session) => new(
            session.SnapshotWeights(),
            session.OptimizerState.Tensors.Select(t => session.Backend.ToArray(t.Tensor)).ToArray(),
            new Dictionary<string, double>(session.OptimizerState.Scalars),
            session.Network.Layers.Select(l => l.Counters.ToArray()).ToArray());

        public void Restore(TrainingSession<T> session)
        {
            session.RestoreWeights(Weights);
            for (int i = 0; i < OptimizerTensors.Length; i++) session.Backend.Upload(session.OptimizerState.Tensors[i].Tensor, OptimizerTensors[i]);
            foreach (var (name, value) in OptimizerScalars) session.OptimizerState.SetScalar(name, value);
            for (int i = 0; i < Counters.Length; i++)
                foreach (var counter in Counters[i]) session.Network.Layers[i].SetCounter(counter.Name, counter.Value);
        }
    }
}
