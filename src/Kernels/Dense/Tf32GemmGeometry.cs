namespace CudaNet.Cuda;

/// <summary>The launch geometry of gemm_tf32_forward (kernels.cu section gemm_tf32) as pure functions of the shapes
/// and addresses: the constants must equal the kernel's, which Tf32GemmKernelTests checks.</summary>
internal static class Tf32GemmGeometry
{
    /// <summary>Rows and columns of the C tile one block computes (TF32_TILE_M, TF32_TILE_N).</summary>
    public const int TileRows = 128, TileColumns = 128;

    /// <summary>Threads per block (TF32_THREADS): 8 warps, each owning a 64 × 32 warp tile.</summary>
    public const int Threads = 256;

    /// <summary>The tile and its one-block-per-tile 1-D grid, as the SIMT configurations launch theirs (the kernel's
    /// cp.async path is chosen at run time, so both entry points are the same).</summary>
    private static readonly GemmConfiguration Tile = new(TileRows, TileColumns, Threads, Kernel.GemmTf32Forward, Kernel.GemmTf32Forward);

    /// <summary>Row tiles of C: block b computes row tile b mod this, column tile b div this.</summary>
    public static uint RowTiles(int m) => Tile.RowTiles(m);

    /// <summary>C (m, n): a 1-D grid of one block per 128 × 128 tile (1-D because grid y stops at 65535 blocks).</summary>
    public static LaunchShape Gemm(int m, int n) => Tile.Launch(m, n);
}
