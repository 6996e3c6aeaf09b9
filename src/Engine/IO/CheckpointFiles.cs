namespace CudaNet.IO;

/// <summary>
/// The files of a checkpoint folder: the model (PyTorch-loadable weights and the model spec) and the training
/// state (optimizer tensors, counters, step and epoch, history) that makes resuming exact (DESIGN.md §9).
/// </summary>
public static class CheckpointFiles
{
    /// <summary>The model file.</summary>
    public const string Model = "model.safetensors";

    /// <summary>The training-state file.</summary>
    public const string TrainingState = "training-state.safetensors";

    /// <summary>Value of the training-state file's <c>format</c> metadata.</summary>
    public const string TrainingStateFormat = "cudanet.training-state";
}
