namespace CudaNet.Cuda;

// Normalisation family: launchers of kernels.cu's sections batchnorm_forward_training … group_norm_backward. Layer
// norm is group norm with one group, as on the CPU. Each launcher passes its arguments in the kernel's parameter
// order and types (pointers as 64-bit device addresses).
public sealed partial class CudaBackend
{
    private DeviceMemory? _splitPartials;

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

    /// <summary>Blocks the split-row batch-norm launches aim for, about four per SM of the largest GPUs: a constant, so
    /// the splits — and with them the bits of the statistics — depend on the shape only, never on the device.</summary>
    internal const int SplitTargetBlocks = 512;

    /// <summary>Fewest rows per split: below it a split's block would do too little to pay for its partials.</summary>
    internal const int MinSplitRows = 64;

    /// <summary>Most splits of a batch-norm reduction (each adds a partial per column that every block merges).</summary>
    internal const int MaxSplits = 64;

    /// <summary>
    /// Rows per split of batchnorm_statistics / batchnorm_backward_sums for x (rows, features): enough splits that the
    /// grid has about <see cref="SplitTargetBlocks"/> blocks (one block per 32 columns alone is 32 blocks for 1,024
    /// features), each split at least <see cref="MinSplitRows"/> rows, at most <see cref="MaxSplits"/> splits.
    /// </summary>
    internal static int RowsPerSplit(int rows, int features)
    {
        long columnTiles = LaunchGeometry.Blocks(features, NormTile);
        long splits = Math.Clamp(SplitTargetBlocks / columnTiles, 1, MaxSplits);
        splits = Math.Clamp(Math.Min(splits, rows / MinSplitRows), 1, splits);
        return (int)Math.Max(1, (rows + splits - 1) / splits);
    }

    /// <summary>Splits of x (rows, ·) with <paramref name="rowsPerSplit"/> rows each (the last may be short); one
    /// empty split when there are no rows, so the sums still come out as zeros.</summary>
    internal static int Splits(int rows, int rowsPerSplit) => (int)Math.Max(1, LaunchGeometry.Blocks(rows, rowsPerSplit));

    /// <summary>The launch of a per-split reduction: one 32 × 8 block per 32 columns and split.</summary>
    internal static LaunchShape PerSplit(int rows, int features, int rowsPerSplit) =>
        new(LaunchGeometry.Blocks(features, NormTile), NormTile, GridY: (uint)Splits(rows, rowsPerSplit), BlockY: NormSlices);

    /// <summary>The launch of the normalising kernels after a per-split reduction: 32 × 8 blocks, about
    /// <see cref="SplitTargetBlocks"/> in all, each merging its columns' partials once and then striding over rows.</summary>
    internal static LaunchShape SplitRows(int rows, int features)
    {
        uint columnTiles = LaunchGeometry.Blocks(features, NormTile);
        long rowBlocks = Math.Min(Math.Max(1, SplitTargetBlocks / columnTiles), LaunchGeometry.Blocks(rows, NormSlices));
        return new(columnTiles, NormTile, GridY: (uint)Math.Min(rowBlocks, MaxGridY), BlockY: NormSlices);
    }

    /// <summary>The launch of a one-warp-per-(row, group) kernel over rows·groups pairs.</summary>
    internal static LaunchShape PerGroup(int rows, int groups) =>
        new(LaunchGeometry.Blocks((long)rows * groups, GroupsPerBlock), LaunchGeometry.BlockThreads);

    /// <inheritdoc/>
    protected override unsafe void BatchNormForwardTrainingCore(Tensor<float> y, Tensor<float> savedMean,
        Tensor<float> savedInvStd, Tensor<float> runningMean, Tensor<float> runningVar, Tensor<float> x,
        Tensor<float> gamma, Tensor<float> beta, float momentum, float eps, ActivationKind activation)
    {
        int kind = (int)activation;
        ulong output = Address(y), means = Address(savedMean), invStds = Address(savedInvStd);
        ulong runningMeans = Address(runningMean), runningVars = Address(runningVar), input = Address(x);
        ulong scales = Address(gamma), shifts = Address(beta);
        int rows = x.Shape[0], features = x.Shape[1], rowsPerSplit = RowsPerSplit(rows, features);
        ulong partials = SplitPartials(2L * Splits(rows, rowsPerSplit) * features);
        Launch(Kernel.BatchNormStatistics, PerSplit(rows, features, rowsPerSplit), stackalloc nint[]
        {
            (nint)(&partials), (nint)(&input), (nint)(&rows), (nint)(&features), (nint)(&rowsPerSplit),
        });
        Launch(Kernel.BatchNormForwardTraining, SplitRows(rows, features), stackalloc nint[]
        {
            (nint)(&output), (nint)(&means), (nint)(&invStds), (nint)(&runningMeans), (nint)(&runningVars),
            (nint)(&input), (nint)(&scales), (nint)(&shifts), (nint)(&partials), (nint)(&rows), (nint)(&features),
            (nint)(&rowsPerSplit), (nint)(&momentum), (nint)(&eps), (nint)(&kind),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void BatchNormForwardInferenceCore(Tensor<float> y, Tensor<float> x, Tensor<float> gamma,
        Tensor<float> beta, Tensor<float> runningMean, Tensor<float> runningVar, float eps, ActivationKind activation)
    {
        int kind = (int)activation;
        ulong output = Address(y), input = Address(x), scales = Address(gamma), shifts = Address(beta);
        ulong means = Address(runningMean), variances = Address(runningVar);
        int rows = x.Shape[0], features = x.Shape[1];
        Launch(Kernel.BatchNormForwardInference, Inference(rows, features), stackalloc nint[]
        {
            (nint)(&output), (nint)(&input), (nint)(&scales), (nint)(&shifts), (nint)(&means), (nint)(&variances),
            (nint)(&rows), (nint)(&features), (nint)(&eps), (nint)(&kind),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void BatchNormBackwardCore(Tensor<float> dx, Tensor<float> dGamma, Tensor<float> dBeta,
        Tensor<float> dy, Tensor<float> x, Tensor<float> gamma, Tensor<float> savedMean, Tensor<float> savedInvStd,
        Tensor<float>? reluOutput)
    {
        // Without the ReLU the kernels never read y: a null address says so.
        ulong output = reluOutput is null ? 0 : Address(reluOutput);
        int kind = (int)(reluOutput is null ? ActivationKind.Identity : ActivationKind.ReLU);
        ulong inputGradient = Address(dx), gammaGradient = Address(dGamma), betaGradient = Address(dBeta);
        ulong outputGradient = Address(dy), input = Address(x), scales = Address(gamma);
        ulong means = Address(savedMean), invStds = Address(savedInvStd);
        int rows = x.Shape[0], features = x.Shape[1], rowsPerSplit = RowsPerSplit(rows, features);
        ulong partials = SplitPartials(2L * Splits(rows, rowsPerSplit) * features);
        Launch(Kernel.BatchNormBackwardSums, PerSplit(rows, features, rowsPerSplit), stackalloc nint[]
        {
            (nint)(&partials), (nint)(&outputGradient), (nint)(&output), (nint)(&input), (nint)(&means), (nint)(&rows),
            (nint)(&features), (nint)(&rowsPerSplit), (nint)(&kind),
        });
        Launch(Kernel.BatchNormBackward, SplitRows(rows, features), stackalloc nint[]
        {
            (nint)(&inputGradient), (nint)(&gammaGradient), (nint)(&betaGradient), (nint)(&outputGradient),
            (nint)(&output), (nint)(&input), (nint)(&scales), (nint)(&means), (nint)(&invStds), (nint)(&partials),
            (nint)(&rows), (nint)(&features), (nint)(&rowsPerSplit), (nint)(&kind),
        });
    }

    /// <summary>
    /// The device address of a scratch buffer of at least <paramref name="floats"/> floats for the split partials,
    /// grown (never shrunk) on demand: a training loop with fixed shapes allocates it once. Growing waits for the
    /// stream first, since queued launches may still read the old buffer.
    /// </summary>
    private ulong SplitPartials(long floats)
    {
        if (_splitPartials is { } buffer && buffer.Bytes >= floats * sizeof(float)) return buffer.Pointer;
        Synchronize();
        _splitPartials?.Dispose();
        _splitPartials = new DeviceMemory(this, Context, floats * sizeof(float), counter: null);
        return _splitPartials.Pointer;
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
        int rowsPerSplit = RowsPerSplit(rows, features), splits = Splits(rows, rowsPerSplit);
        ulong partials = SplitPartials(2L * splits * features);
        Launch(Kernel.GroupNormBackwardParameters, PerSplit(rows, features, rowsPerSplit), stackalloc nint[]
        {
            (nint)(&partials), (nint)(&outputGradient), (nint)(&input), (nint)(&means), (nint)(&invStds), (nint)(&rows),
            (nint)(&features), (nint)(&groups), (nint)(&rowsPerSplit),
        });
        var perColumn = new LaunchShape(LaunchGeometry.Blocks(features, LaunchGeometry.BlockThreads), LaunchGeometry.BlockThreads);
        Launch(Kernel.ColumnPartialsSum, perColumn, stackalloc nint[]
        {
            (nint)(&betaGradient), (nint)(&gammaGradient), (nint)(&partials), (nint)(&splits), (nint)(&features),
        });
        if (rows == 0) return;
        Launch(Kernel.GroupNormBackwardInput, PerGroup(rows, groups), stackalloc nint[]
        {
            (nint)(&inputGradient), (nint)(&outputGradient), (nint)(&input), (nint)(&scales), (nint)(&means),
            (nint)(&invStds), (nint)(&rows), (nint)(&features), (nint)(&groups),
        });
    }
}
