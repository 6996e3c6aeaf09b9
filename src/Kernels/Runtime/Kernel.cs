namespace CudaNet.Cuda;

/// <summary>
/// Every kernel the CUDA backend launches: the one table of entry-point names, so a launcher cannot name a kernel
/// the PTX does not have (a test checks each against the embedded modules that should hold it).
/// </summary>
internal enum Kernel
{
    AxpyForward,
    FillForward,
    ScaleForward,
    SquaredNormForward,
    SquaredNormCombine,
    ColumnSumForward,
    RowSumForward,
    IndexRangeCheck,
    GatherRowsForward,
    ArgMaxCountCorrectForward,
    SgdUpdateForward,
    AdagradUpdateForward,
    AdadeltaUpdateForward,
    RmsPropUpdateForward,
    AdamUpdateForward,
    AdamaxUpdateForward,
    NadamUpdateForward,
    SgdUpdateControlled,
    AdagradUpdateControlled,
    AdadeltaUpdateControlled,
    RmsPropUpdateControlled,
    AdamUpdateControlled,
    AdamaxUpdateControlled,
    NadamUpdateControlled,
    BeginStep,
    CopyIfSkipped,
    GemmForward128x128,
    GemmForward128x128Float4,
    GemmForward64x64,
    GemmForward64x64Float4,
    GemmForward32x32,
    GemmForward32x32Float4,
    GemmTf32Forward,
    ActivationForward,
    ActivationBackward,
    PReLUForward,
    PReLUBackward,
    SoftmaxForward,
    BatchNormStatistics,
    BatchNormForwardTraining,
    BatchNormForwardInference,
    BatchNormBackwardSums,
    BatchNormBackward,
    ColumnPartialsSum,
    GroupNormForward,
    GroupNormBackwardParameters,
    GroupNormBackwardInput,
    LossMeanCombine,
    SoftmaxCrossEntropyForward,
    MseLossForward,
    BinaryCrossEntropyWithLogitsForward,
    PhiloxMaskForward,
    GaussianNoiseForward,
}

/// <summary>The <c>extern "C"</c> names of <see cref="Kernel"/> in <c>kernels.cu</c>.</summary>
internal static class KernelNames
{
    /// <summary>The entry point of <paramref name="kernel"/>.</summary>
    public static string Of(Kernel kernel) => kernel switch
    {
        Kernel.AxpyForward => "axpy_forward",
        Kernel.FillForward => "fill_forward",
        Kernel.ScaleForward => "scale_forward",
        Kernel.SquaredNormForward => "squared_norm_forward",
        Kernel.SquaredNormCombine => "squared_norm_combine",
        Kernel.ColumnSumForward => "column_sum_forward",
        Kernel.RowSumForward => "row_sum_forward",
        Kernel.IndexRangeCheck => "index_range_check",
        Kernel.GatherRowsForward => "gather_rows_forward",
        Kernel.ArgMaxCountCorrectForward => "argmax_count_correct_forward",
        Kernel.SgdUpdateForward => "sgd_update_forward",
        Kernel.AdagradUpdateForward => "adagrad_update_forward",
        Kernel.AdadeltaUpdateForward => "adadelta_update_forward",
        Kernel.RmsPropUpdateForward => "rmsprop_update_forward",
        Kernel.AdamUpdateForward => "adam_update_forward",
        Kernel.AdamaxUpdateForward => "adamax_update_forward",
        Kernel.NadamUpdateForward => "nadam_update_forward",
        Kernel.SgdUpdateControlled => "sgd_update_controlled",
        Kernel.AdagradUpdateControlled => "adagrad_update_controlled",
        Kernel.AdadeltaUpdateControlled => "adadelta_update_controlled",
        Kernel.RmsPropUpdateControlled => "rmsprop_update_controlled",
        Kernel.AdamUpdateControlled => "adam_update_controlled",
        Kernel.AdamaxUpdateControlled => "adamax_update_controlled",
        Kernel.NadamUpdateControlled => "nadam_update_controlled",
        Kernel.BeginStep => "begin_step",
        Kernel.CopyIfSkipped => "copy_if_skipped",
        Kernel.GemmForward128x128 => "gemm_forward_128x128",
        Kernel.GemmForward128x128Float4 => "gemm_forward_128x128_float4",
        Kernel.GemmForward64x64 => "gemm_forward_64x64",
        Kernel.GemmForward64x64Float4 => "gemm_forward_64x64_float4",
        Kernel.GemmForward32x32 => "gemm_forward_32x32",
        Kernel.GemmForward32x32Float4 => "gemm_forward_32x32_float4",
        Kernel.GemmTf32Forward => "gemm_tf32_forward",
        Kernel.ActivationForward => "activation_forward",
        Kernel.ActivationBackward => "activation_backward",
        Kernel.PReLUForward => "prelu_forward",
        Kernel.PReLUBackward => "prelu_backward",
        Kernel.SoftmaxForward => "softmax_forward",
        Kernel.BatchNormStatistics => "batchnorm_statistics",
        Kernel.BatchNormForwardTraining => "batchnorm_forward_training",
        Kernel.BatchNormForwardInference => "batchnorm_forward_inference",
        Kernel.BatchNormBackwardSums => "batchnorm_backward_sums",
        Kernel.BatchNormBackward => "batchnorm_backward",
        Kernel.ColumnPartialsSum => "column_partials_sum",
        Kernel.GroupNormForward => "group_norm_forward",
        Kernel.GroupNormBackwardParameters => "group_norm_backward_parameters",
        Kernel.GroupNormBackwardInput => "group_norm_backward_input",
        Kernel.LossMeanCombine => "loss_mean_combine",
        Kernel.SoftmaxCrossEntropyForward => "softmax_cross_entropy_forward",
        Kernel.MseLossForward => "mse_loss_forward",
        Kernel.BinaryCrossEntropyWithLogitsForward => "binary_cross_entropy_with_logits_forward",
        Kernel.PhiloxMaskForward => "philox_mask_forward",
        Kernel.GaussianNoiseForward => "gaussian_noise_forward",
        _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown kernel"),
    };

    /// <summary>Every kernel of the table.</summary>
    public static IReadOnlyList<Kernel> All { get; } = Enum.GetValues<Kernel>();

    /// <summary>The kernels only the sm_80 module holds: their instructions (mma.sync on TF32, cp.async) need compute
    /// capability 8.0, so kernels.cu compiles them for sm_80 alone.</summary>
    public static IReadOnlyList<Kernel> Sm80Only { get; } = [Kernel.GemmTf32Forward];

    /// <summary>The kernels the module for <paramref name="architecture"/> (<c>sm_75</c> or <c>sm_80</c>) holds.</summary>
    public static IEnumerable<Kernel> In(string architecture) =>
        architecture == "sm_80" ? All : All.Where(kernel => !Sm80Only.Contains(kernel));
}
