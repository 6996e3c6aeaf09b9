namespace CudaNet.Cuda;

// Normalisation family: launchers of kernels.cu's sections batchnorm_forward_training … group_norm_backward. Layer
// norm is group norm with one group, as on the CPU. Each launcher passes its arguments in the kernel's parameter
// order and types (pointers as 64-bit device addresses).
public sealed partial class CudaBackend
{
    /// <summary>Columns and row slices of a per-feature block (batch-norm training and backward, group-norm
    /// parameter sums): 32 × 8 threads, matching NORM_TILE and NORM_SLICES in kernels.cu.</summary>
    internal const int NormTile = 32, NormSlices = 8;

    /// <summary>Row slices of a batch-norm inference block (32 × 8 threads).</summary>
    internal const int InferenceSlices = 8;

    /// <summary>The largest grid y-dimension of CUDA.</summary>
    internal const int MaxGridY = 65535;

    /// <summary>Warps of a one-warp-per-(row, group) block of 256 threads.</summary>
    private const int GroupsPerBlock = LaunchGeometry.BlockThreads / 32;

    /// <summary>The launch of a per-feature kernel: one 32 × 8 block per 32 columns.</summary>
    internal static LaunchShape PerFeature(int features) =>
        new(LaunchGeometry.Blocks(features, NormTile), NormTile, BlockY: NormSlices);

    /// <summary>The launch of batchnorm_forward_inference: 32 × 8 blocks, one column of blocks per 32 features and
    /// up to <see cref="MaxGridY"/> rows of blocks (the kernel strides over the remaining rows).</summary>
    internal static LaunchShape Inference(int rows, int features) =>
        new(LaunchGeometry.Blocks(features, NormTile), NormTile,
            GridY: Math.Min(LaunchGeometry.Blocks(rows, InferenceSlices), MaxGridY), BlockY: InferenceSlices);

    /// <summary>The launch of a one-warp-per-(row, group) kernel over rows·groups pairs.</summary>
    internal static LaunchShape PerGroup(int rows, int groups) =>
        new(LaunchGeometry.Blocks((long)rows * groups, GroupsPerBlock), LaunchGeometry.BlockThreads);

    /// <inheritdoc/>
    protected override unsafe void BatchNormForwardTrainingCore(Tensor<float> y, Tensor<float> savedMean,
        Tensor<float> savedInvStd, Tensor<float> runningMean, Tensor<float> runningVar, Tensor<float> x,
        Tensor<float> gamma, Tensor<float> beta, float momentum, float eps)
    {
        ulong output = Address(y), means = Address(savedMean), invStds = Address(savedInvStd);
        ulong runningMeans = Address(runningMean), runningVars = Address(runningVar), input = Address(x);
        ulong scales = Address(gamma), shifts = Address(beta);
        int rows = x.Shape[0], features = x.Shape[1];
        Launch(Kernel.BatchNormForwardTraining, PerFeature(features), stackalloc nint[]
        {
            (nint)(&output), (nint)(&means), (nint)(&invStds), (nint)(&runningMeans), (nint)(&runningVars),
            (nint)(&input), (nint)(&scales), (nint)(&shifts), (nint)(&rows), (nint)(&features), (nint)(&momentum),
            (nint)(&eps),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void BatchNormForwardInferenceCore(Tensor<float> y, Tensor<float> x, Tensor<float> gamma,
        Tensor<float> beta, Tensor<float> runningMean, Tensor<float> runningVar, float eps)
    {
        ulong output = Address(y), input = Address(x), scales = Address(gamma), shifts = Address(beta);
        ulong means = Address(runningMean), variances = Address(runningVar);
        int rows = x.Shape[0], features = x.Shape[1];
        Launch(Kernel.BatchNormForwardInference, Inference(rows, features), stackalloc nint[]
        {
            (nint)(&output), (nint)(&input), (nint)(&scales), (nint)(&shifts), (nint)(&means), (nint)(&variances),
            (nint)(&rows), (nint)(&features), (nint)(&eps),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void BatchNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd)
    {
        ulong inputGradient = Address(dx), gammaGradient = Address(dGamma), betaGradient = Address(dBeta);
        ulong outputGradient = Address(dy), input = Address(x), scales = Address(gamma);
        ulong means = Address(savedMean), invStds = Address(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1];
        Launch(Kernel.BatchNormBackward, PerFeature(features), stackalloc nint[]
        {
            (nint)(&inputGradient), (nint)(&gammaGradient), (nint)(&betaGradient), (nint)(&outputGradient),
            (nint)(&input), (nint)(&scales), (nint)(&means), (nint)(&invStds), (nint)(&rows), (nint)(&features),
        });
    }

    /// <inheritdoc/>
    protected override void LayerNormForwardCore(Tensor<float> y, Tensor<float> savedMean, Tensor<float> savedInvStd,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> beta, float eps) =>
        GroupNormForwardCore(y, savedMean, savedInvStd, x, gamma, beta, groups: 1, eps);

    /// <inheritdoc/>
    protected override void LayerNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd) =>
        GroupNormBackwardCore(dx, dGamma, dBeta, dy, x, gamma, savedMean, savedInvStd, groups: 1);

    /// <inheritdoc/>
    protected override unsafe void GroupNormForwardCore(Tensor<float> y, Tensor<float> savedMean,
        Tensor<float> savedInvStd, Tensor<float> x, Tensor<float> gamma, Tensor<float> beta, int groups, float eps)
    {
        ulong output = Address(y), means = Address(savedMean), invStds = Address(savedInvStd), input = Address(x);
        ulong scales = Address(gamma), shifts = Address(beta);
        int rows = x.Shape[0], features = x.Shape[1];
        Launch(Kernel.GroupNormForward, PerGroup(rows, groups), stackalloc nint[]
        {
            (nint)(&output), (nint)(&means), (nint)(&invStds), (nint)(&input), (nint)(&scales), (nint)(&shifts),
            (nint)(&rows), (nint)(&features), (nint)(&groups), (nint)(&eps),
        });
    }

    /// <summary>Validated <see cref="BackendBase{T}.GroupNormBackward"/>: the parameter sums are queued before dx, so
    /// dx may share storage with dy. With no rows only the parameter sums run (dγ = dβ = 0).</summary>
    protected override unsafe void GroupNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd,
        int groups)
    {
        ulong inputGradient = Address(dx), gammaGradient = Address(dGamma), betaGradient = Address(dBeta);
        ulong outputGradient = Address(dy), input = Address(x), scales = Address(gamma);
        ulong means = Address(savedMean), invStds = Address(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1];
        Launch(Kernel.GroupNormBackwardParameters, PerFeature(features), stackalloc nint[]
        {
            (nint)(&gammaGradient), (nint)(&betaGradient), (nint)(&outputGradient), (nint)(&input), (nint)(&means),
            (nint)(&invStds), (nint)(&rows), (nint)(&features), (nint)(&groups),
        });
        if (rows == 0) return;
        Launch(Kernel.GroupNormBackwardInput, PerGroup(rows, groups), stackalloc nint[]
        {
            (nint)(&inputGradient), (nint)(&outputGradient), (nint)(&input), (nint)(&scales), (nint)(&means),
            (nint)(&invStds), (nint)(&rows), (nint)(&features), (nint)(&groups),
        });
    }
}
