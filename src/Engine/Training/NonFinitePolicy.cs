using CudaNet.Data;

namespace CudaNet;

/// <summary>What a training step does when its loss or gradient norm is NaN or infinite.</summary>
public enum NonFinite
{
    /// <summary>Skip the update and count it: parameters, optimizer state and running statistics are left as they
    /// were before the step (stochastic layers still advance their call counters, so the next step draws new masks).</summary>
    Skip,
    /// <summary>Throw <see cref="NonFiniteException"/> naming the first layer whose output went non-finite. To stop at
    /// the offending step, every step reads the gradient norm and the loss on the host: a device synchronisation per
    /// step, which <see cref="Skip"/> avoids (its decisions stay on the backend, see <see cref="StepControl{T}"/>).</summary>
    Throw,
}

/// <summary>A training step produced NaN or ∞.</summary>
public sealed class NonFiniteException(string message) : Exception(message);

/// <summary>How <c>Fit</c> trains, beyond data and epochs.</summary>
/// <param name="BatchSize">Examples per step (&gt; 0; the last batch of an epoch may be smaller).</param>
/// <param name="Schedule">Learning rate per epoch (default: constant).</param>
/// <param name="Shuffle">Reshuffle the training set every epoch (from the network's seed and the epoch).</param>
/// <param name="MaxGradNorm">Clip the global gradient norm to this (null: no clipping).</param>
/// <param name="OnNonFinite">Skip or throw on a non-finite step.</param>
/// <param name="Augmentation">Transforms the training features once per epoch on the host (from the network's seed
/// and the session's epoch) before they are uploaded; validation data is never augmented (null: none). With
/// <see cref="ImageAugmentation"/>, pass the training set raw and standardise inside the augmentation.</param>
/// <param name="UseGraphs">On a backend that implements <see cref="IStepGraphBackend"/> (CUDA), run every full batch of
/// training and of validation as one replayed graph (captured on the first; the last, smaller batch of an epoch runs
/// directly). The results are the same bit for bit; only launch overhead changes. Training steps run directly with
/// <see cref="NonFinite.Throw"/>, whose per-step read needs the step's work queued by then.</param>
public sealed record FitOptions(int BatchSize = 128, LearningRateSchedule? Schedule = null, bool Shuffle = true,
    double? MaxGradNorm = null, NonFinite OnNonFinite = NonFinite.Skip, IAugmentation? Augmentation = null,
    bool UseGraphs = true);
