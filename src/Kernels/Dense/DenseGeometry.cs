namespace CudaNet.Cuda;

/// <summary>The launch geometry of the dense-family kernels (kernels.cu sections activation_forward …
/// softmax_forward; the gemm configurations are <see cref="GemmConfiguration"/>), as pure functions of the shapes: the
/// sizes here must equal the kernels' constants, which DenseKernelTests checks.</summary>
internal static class DenseGeometry
{
    /// <summary>Features per prelu_backward block (one per lane of the x dimension) and row slices (its y dimension).</summary>
    public const int PReLUBackwardColumns = 32, PReLUBackwardSlices = 8;

    /// <summary>Rows per softmax_forward block: one per warp of a 256-thread block.</summary>
    public const int SoftmaxRowsPerBlock = LaunchGeometry.BlockThreads / 32;

    /// <summary>prelu_backward over <paramref name="features"/> columns: (32, 8)-thread blocks, one per 32 features.
    /// The grid depends on the shape only, which keeps dα's summation order fixed.</summary>
    public static LaunchShape PReLUBackward(int features) =>
        new(LaunchGeometry.Blocks(features, PReLUBackwardColumns), PReLUBackwardColumns, BlockY: PReLUBackwardSlices);

    /// <summary>softmax_forward over <paramref name="rows"/>: a warp per row, 8 rows per 256-thread block.</summary>
    public static LaunchShape Softmax(int rows) =>
        new(LaunchGeometry.Blocks(rows, SoftmaxRowsPerBlock), LaunchGeometry.BlockThreads);
}
