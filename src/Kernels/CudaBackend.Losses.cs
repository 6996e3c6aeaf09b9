namespace CudaNet.Cuda;

// Losses family: launchers of kernels.cu's sections loss_mean_combine … binary_cross_entropy_with_logits_forward.
// Each loss is two launches: a fixed grid of LossBlocks blocks writing float64 partials into the _partials buffer,
// then loss_mean_combine adding them in block order, so the scalar is the same bits on every run and every GPU.
public sealed partial class CudaBackend
{
    /// <summary>Blocks of the first pass of every loss: fixed, never sized to the device, so the summation order (and
    /// the loss) is the same everywhere. Their float64 partials fill the 1 KiB <c>_partials</c> buffer that
    /// squared_norm uses for its float partials (the stream orders the two ops).</summary>
    internal const int LossBlocks = SquaredNormBlocks * sizeof(float) / sizeof(double);

    /// <summary>Threads of the loss_mean_combine block (thread 0 adds the partials).</summary>
    private const int CombineThreads = 32;

    /// <summary>The launch of a loss's first pass.</summary>
    internal static LaunchShape LossPass => new(LossBlocks, LaunchGeometry.BlockThreads);

    /// <summary>Validated <see cref="BackendBase{T}.SoftmaxCrossEntropy"/>. A label outside the classes is found on
    /// the device: loss and dLogits are left untouched and the <see cref="ArgumentOutOfRangeException"/> is thrown at
    /// the next synchronisation (Download, Synchronize), or by this call with
    /// <see cref="SynchronizeAfterEachLaunch"/>.</summary>
    protected override unsafe void SoftmaxCrossEntropyCore(Tensor<float> loss, Tensor<float>? dLogits,
        Tensor<float> logits, Tensor<int> labels, float labelSmoothing)
    {
        int rows = logits.Shape[0], classes = logits.Shape[1];
        CheckIndices(CheckedOp.SoftmaxCrossEntropy, labels, classes);
        ulong partials = _partials.Pointer, gradient = dLogits is null ? 0 : Address(dLogits);
        ulong values = Address(logits), targets = Address(labels), status = _faults.Pointer;
        Launch(Kernel.SoftmaxCrossEntropyForward, LossPass, stackalloc nint[]
        {
            (nint)(&partials), (nint)(&gradient), (nint)(&values), (nint)(&targets), (nint)(&status), (nint)(&rows),
            (nint)(&classes), (nint)(&labelSmoothing),
        });
        CombineLoss(loss, status, rows);
        AfterCheckedOp();
    }

    /// <inheritdoc/>
    protected override unsafe void MseLossCore(Tensor<float> loss, Tensor<float>? dPrediction, Tensor<float> prediction,
        Tensor<float> target)
    {
        ulong partials = _partials.Pointer, gradient = dPrediction is null ? 0 : Address(dPrediction);
        ulong values = Address(prediction), targets = Address(target);
        int n = prediction.Length;
        float count = n;
        Launch(Kernel.MseLossForward, LossPass, stackalloc nint[]
        {
            (nint)(&partials), (nint)(&gradient), (nint)(&values), (nint)(&targets), (nint)(&n), (nint)(&count),
        });
        CombineLoss(loss, status: 0, n);
    }

    /// <inheritdoc/>
    protected override unsafe void BinaryCrossEntropyWithLogitsCore(Tensor<float> loss, Tensor<float>? dLogits,
        Tensor<float> logits, Tensor<float> target)
    {
        ulong partials = _partials.Pointer, gradient = dLogits is null ? 0 : Address(dLogits);
        ulong values = Address(logits), targets = Address(target);
        int n = logits.Length;
        float count = n;
        Launch(Kernel.BinaryCrossEntropyWithLogitsForward, LossPass, stackalloc nint[]
        {
            (nint)(&partials), (nint)(&gradient), (nint)(&values), (nint)(&targets), (nint)(&n), (nint)(&count),
        });
        CombineLoss(loss, status: 0, n);
    }

    /// <summary>loss[0] = Σ partials / <paramref name="divisor"/>; <paramref name="status"/> is the fault record
    /// that voids the result, or 0 for a loss without indices.</summary>
    private unsafe void CombineLoss(Tensor<float> loss, ulong status, int divisor)
    {
        ulong output = Address(loss), partials = _partials.Pointer;
        int count = LossBlocks;
        Launch(Kernel.LossMeanCombine, new LaunchShape(1, CombineThreads), stackalloc nint[]
        {
            (nint)(&output), (nint)(&partials), (nint)(&status), (nint)(&count), (nint)(&divisor),
        });
    }
}
