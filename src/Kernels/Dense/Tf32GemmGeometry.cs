namespace CudaNet.Cuda;

/// <summary>The launch geometry of gemm_tf32_forward (kernels.cu section gemm_tf32) as pure functions of the shapes
/// and addresses: the constants must equal the kernel's, which Tf32GemmKernelTests checks.</summary>
internal static class Tf32GemmGeometry
{
    /// <summary>Rows and columns of the C tile one block computes (TF32_TILE_M, TF32_TILE_N).</summary>
    public const int TileRows = 128, TileColumns = 128;

    /// <summary>Threads per block (TF32_THREADS): 8 warps, each owning a 64 × 32 warp tile.</summary>
    public const int Threads = 256;

    /// <summary>Floats per cp.async copy: 16 bytes.</summary>
    public const int CopyFloats = 4;

    /// <summary>Row tiles of C: block b computes row tile b mod this, column tile b div this.</summary>
    public static uint RowTiles(int m) => LaunchGeometry.Blocks(m, TileRows);

    /// <summary>C (m, n): a 1-D grid of one block per 128 × 128 tile (1-D because grid y stops at 65535 blocks).</summary>
    public static LaunchShape Gemm(int m, int n)
    {
        long tiles = (long)RowTiles(m) * LaunchGeometry.Blocks(n, TileColumns);
        return new LaunchShape(LaunchGeometry.Blocks(tiles, 1), Threads);
    }

    /// <summary>Whether the kernel may stage A and B with 16-byte cp.async: both start 16-byte aligned and both have
    /// row lengths (as stored: K or M for A, N or K for B) that are multiples of 4 floats, so every group of 4
    /// consecutive floats of a row is aligned and lies wholly inside or outside the matrix. Otherwise plain loads.</summary>
    public static bool CanCopyAsync(ulong a, int rowLengthA, ulong b, int rowLengthB) =>
        a % (CopyFloats * sizeof(float)) == 0 && b % (CopyFloats * sizeof(float)) == 0 &&
        rowLengthA % CopyFloats == 0 && rowLengthB % CopyFloats == 0;
}
