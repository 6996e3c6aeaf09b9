namespace CudaNet.Cuda;

/// <summary>The launch geometry of the dense-family kernels (kernels.cu sections gemm … softmax_forward), as pure
/// functions of the shapes: the tile sizes here must equal the kernels' constants, which DenseKernelTests checks.</summary>
internal static class DenseGeometry
{
    /// <summary>Rows and columns of the C tile one gemm_forward block computes (GEMM_TILE_M, GEMM_TILE_N).</summary>
    public const int GemmTileRows = 64, GemmTileColumns = 64;

    /// <summary>Threads per gemm_forward block (GEMM_THREADS): 16 × 16 threads, each with a 4 × 4 register tile.</summary>
    public const int GemmThreads = 256;

    /// <summary>Features per prelu_backward block (one per lane of the x dimension) and row slices (its y dimension).</summary>
    public const int PReLUBackwardColumns = 32, PReLUBackwardSlices = 8;

    /// <summary>Rows per softmax_forward block: one per warp of a 256-thread block.</summary>
    public const int SoftmaxRowsPerBlock = LaunchGeometry.BlockThreads / 32;

    /// <summary>Row tiles of C: block b of gemm_forward computes row tile b mod this, column tile b div this.</summary>
    public static uint GemmRowTiles(int m) => LaunchGeometry.Blocks(m, GemmTileRows);

    /// <summary>gemm_forward over C (m, n): a 1-D grid of one block per 64 × 64 tile (1-D because grid y stops at
    /// 65535 blocks; the tile count never exceeds m·n, which fits grid x).</summary>
    public static LaunchShape Gemm(int m, int n)
    {
        long tiles = (long)GemmRowTiles(m) * LaunchGeometry.Blocks(n, GemmTileColumns);
        return new LaunchShape(LaunchGeometry.Blocks(tiles, 1), GemmThreads);
    }

    /// <summary>prelu_backward over <paramref name="features"/> columns: (32, 8)-thread blocks, one per 32 features.
    /// The grid depends on the shape only, which keeps dα's summation order fixed.</summary>
    public static LaunchShape PReLUBackward(int features) =>
        new(LaunchGeometry.Blocks(features, PReLUBackwardColumns), PReLUBackwardColumns, BlockY: PReLUBackwardSlices);

    /// <summary>softmax_forward over <paramref name="rows"/>: a warp per row, 8 rows per 256-thread block.</summary>
    public static LaunchShape Softmax(int rows) =>
        new(LaunchGeometry.Blocks(rows, SoftmaxRowsPerBlock), LaunchGeometry.BlockThreads);
}
