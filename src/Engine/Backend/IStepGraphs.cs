namespace CudaNet;

/// <summary>
/// A backend that can replay a training step as one graph (CUDA graphs, DESIGN.md §3): with static shapes the
/// step's launches are captured once and then replayed with one launch per step, so launch overhead no longer bounds
/// a small model. <c>TrainingSession.Fit</c> uses it for every full batch when <see cref="FitOptions.UseGraphs"/> is on.
/// </summary>
public interface IStepGraphBackend
{
    /// <summary>A new, empty step graph; null when this backend cannot run one now (e.g. while it synchronises after
    /// every launch for debugging), in which case the caller runs its steps directly.</summary>
    IStepGraph? CreateStepGraph();
}

/// <summary>
/// One training step recorded and replayed. <see cref="Run"/> calls the step, whose ops are recorded instead of
/// queued, then queues them as one graph launch: captured the first time, afterwards replayed with the arguments
/// that changed (batch views, dropout offsets, …) updated in place, and re-captured when the step's sequence of
/// kernels or copies itself changed. Each step's work is exactly what running it directly would queue, in the same
/// order with the same arguments; only the way it reaches the device differs. A graph that fails while the device
/// still works turns itself off and runs the steps directly (<see cref="StepGraphCounters.DisabledReason"/>).
/// </summary>
/// <remarks>Inside <see cref="Run"/> the step may only queue ops: Upload, Download and Synchronize throw
/// <see cref="InvalidOperationException"/>. When the step throws, nothing it recorded is queued.</remarks>
public interface IStepGraph : IDisposable
{
    /// <summary>Runs <paramref name="step"/> through the graph (see the type's summary).</summary>
    void Run(Action step);

    /// <summary>What the graph has done so far.</summary>
    StepGraphCounters Counters { get; }
}

/// <summary>Counts of a step graph's work.</summary>
/// <param name="Steps">Steps run.</param>
/// <param name="Captures">Steps that (re-)captured and instantiated the graph: the first, and any whose structure
/// changed.</param>
/// <param name="Replays">Steps replayed from the instantiated graph.</param>
/// <param name="UpdatedNodes">Kernel nodes whose arguments were updated before a replay, over all replays.</param>
/// <param name="Commands">Kernels and copies in the last captured or replayed step.</param>
/// <param name="DisabledReason">Why graphs were turned off (capturing, updating or launching failed; each step since
/// ran directly, with the same results); null while they work.</param>
public readonly record struct StepGraphCounters(long Steps, long Captures, long Replays, long UpdatedNodes, int Commands,
    string? DisabledReason = null);
