namespace CudaNet;

/// <summary>What a callback sees of a training run and can do to it.</summary>
public interface ITrainingRun
{
    /// <summary>Epochs completed so far in this session.</summary>
    int Epoch { get; }

    /// <summary>Metrics of every completed epoch.</summary>
    IReadOnlyList<EpochMetrics> History { get; }

    /// <summary>Asks <c>Fit</c> to stop after the current epoch.</summary>
    void StopTraining();

    /// <summary>A copy of the parameters and buffers (host memory).</summary>
    object SnapshotWeights();

    /// <summary>Restores a copy taken by <see cref="SnapshotWeights"/>.</summary>
    void RestoreWeights(object snapshot);
}

/// <summary>Hooks into <c>Fit</c>; override what you need.</summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(ITrainingRun run)
    {
    }

    /// <summary>After each training step of an epoch: <paramref name="batch"/> of <paramref name="batches"/> (1-based).
    /// Keep it cheap: it runs inside the training loop (a progress bar, not a host read of device values).</summary>
    public virtual void OnBatchEnd(ITrainingRun run, int batch, int batches)
    {
    }

    /// <summary>After each epoch (validation included).</summary>
    public virtual void OnEpochEnd(ITrainingRun run, EpochMetrics metrics)
    {
    }

    /// <summary>After the last epoch, or after a stop.</summary>
    public virtual void OnTrainEnd(ITrainingRun run)
    {
    }
}
