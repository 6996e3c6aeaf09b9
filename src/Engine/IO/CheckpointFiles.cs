namespace CudaNet.IO;

/// <summary>
/// The files of a checkpoint folder: the model (PyTorch-loadable weights and the model spec) and the training
/// state (optimizer tensors, counters, step and epoch, history) that makes resuming exact (DESIGN.md §9).
/// </summary>
/// <remarks>
/// The pair is written in two phases so that a crash at any point leaves a loadable checkpoint: both files are
/// first written (each atomically) under <see cref="PendingSuffix"/> names — the model first, so a complete pending
/// training state proves the pending model complete: that is the commit point — then renamed into place.
/// <see cref="CompletePendingSave"/>, run before every load and save, finishes a save that passed its commit
/// point and discards one that did not, so the folder always holds the previous pair or the new one.
/// </remarks>
public static class CheckpointFiles
{
    /// <summary>The model file.</summary>
    public const string Model = "model.safetensors";

    /// <summary>The training-state file.</summary>
    public const string TrainingState = "training-state.safetensors";

    /// <summary>Value of the training-state file's <c>format</c> metadata.</summary>
    public const string TrainingStateFormat = "cudanet.training-state";

    /// <summary>Suffix of the files of a save in progress.</summary>
    public const string PendingSuffix = ".pending";

    /// <summary>Writes the pair into <paramref name="folder"/> in two phases (see the remarks).</summary>
    public static void SavePair(string folder, Action<string> writeModel, Action<string> writeTrainingState)
    {
        ArgumentNullException.ThrowIfNull(writeModel);
        ArgumentNullException.ThrowIfNull(writeTrainingState);
        CompletePendingSave(folder);
        writeModel(Path.Combine(folder, Model + PendingSuffix));
        writeTrainingState(Path.Combine(folder, TrainingState + PendingSuffix));
        CompletePendingSave(folder);
    }

    /// <summary>Finishes a save interrupted after its commit point, or discards one interrupted before it.</summary>
    public static void CompletePendingSave(string folder)
    {
        string model = Path.Combine(folder, Model), state = Path.Combine(folder, TrainingState);
        if (File.Exists(state + PendingSuffix))
        {
            if (File.Exists(model + PendingSuffix)) File.Move(model + PendingSuffix, model, overwrite: true);
            File.Move(state + PendingSuffix, state, overwrite: true);
        }
        else if (File.Exists(model + PendingSuffix))
        {
            File.Delete(model + PendingSuffix);
        }
    }
}
