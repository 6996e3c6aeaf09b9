namespace CudaNet.Cuda;

/// <summary>
/// One tile configuration of kernels.cu's gemm section (an instantiation of <c>gemm_tile</c>): each block computes a
/// <see cref="TileRows"/> × <see cref="TileColumns"/> tile of C with <see cref="Threads"/> threads, through a
/// scalar-load entry point or a float4-load one. DenseKernelTests checks these numbers against the template
/// arguments of the entry points.
/// </summary>
/// <param name="TileRows">Rows of the C tile of one block (BM).</param>
/// <param name="TileColumns">Columns of the C tile of one block (BN).</param>
/// <param name="Threads">Threads per block.</param>
/// <param name="Scalar">The entry point that loads A and B one float at a time (any layout).</param>
/// <param name="Vectorized">The entry point that loads them as aligned float4 quads (<see cref="Vectorizable"/>).</param>
internal sealed record GemmConfiguration(int TileRows, int TileColumns, int Threads, Kernel Scalar, Kernel Vectorized)
{
    /// <summary>128 × 128 tiles, 256 threads with 8 × 8 accumulators each: the throughput configuration.</summary>
    public static GemmConfiguration Large { get; } =
        new(128, 128, 256, Kernel.GemmForward128x128, Kernel.GemmForward128x128Float4);

    /// <summary>64 × 64 tiles, 256 threads with 4 × 4 accumulators each.</summary>
    public static GemmConfiguration Medium { get; } =
        new(64, 64, 256, Kernel.GemmForward64x64, Kernel.GemmForward64x64Float4);

    /// <summary>32 × 32 tiles, 128 threads with 4 × 2 accumulators each: many blocks, and many threads per block, for
    /// a small C.</summary>
    public static GemmConfiguration Small { get; } =
        new(32, 32, 128, Kernel.GemmForward32x32, Kernel.GemmForward32x32Float4);

    /// <summary>Every configuration, largest tile first.</summary>
    public static IReadOnlyList<GemmConfiguration> All { get; } = [Large, Medium, Small];

    /// <summary>The configuration for C (m, n) on a device of <paramref name="multiprocessors"/> SMs: the largest tile
    /// whose grid still gives every SM a block, else the smallest. A larger tile reuses each loaded float more, but
    /// a grid with fewer blocks than SMs leaves SMs idle (a 128 × 512 C is 4 tiles of 128 × 128 and 64 of 32 × 32).
    /// K is never split, so that every element keeps one summation order.</summary>
    public static GemmConfiguration For(int m, int n, int multiprocessors)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiprocessors);
        foreach (var configuration in All)
            if (configuration.Tiles(m, n) >= multiprocessors) return configuration;
        return Small;
    }

    /// <summary>Whether the float4 entry point may run: both operands start 16-byte aligned and their stored rows
    /// (A's: K, or M when transposed; B's: N, or K when transposed) are multiples of 4 floats, so every quad of a
    /// row is aligned and lies wholly inside or wholly outside it.</summary>
    public static bool Vectorizable(ulong a, int aRowLength, ulong b, int bRowLength) =>
        a % 16 == 0 && b % 16 == 0 && aRowLength % 4 == 0 && bRowLength % 4 == 0;

    /// <summary>The entry point for the operands' layout.</summary>
    public Kernel KernelFor(bool vectorized) => vectorized ? Vectorized : Scalar;

    /// <summary>Row tiles of C: block b computes row tile b mod this, column tile b div this.</summary>
    public uint RowTiles(int m) => LaunchGeometry.Blocks(m, TileRows);

    /// <summary>Tiles of C (m, n), at least 1.</summary>
    public long Tiles(int m, int n) => (long)RowTiles(m) * LaunchGeometry.Blocks(n, TileColumns);

    /// <summary>The launch over C (m, n): a 1-D grid of one block per tile (1-D because grid y stops at 65535 blocks;
    /// the tile count never exceeds m·n, which fits grid x).</summary>
    public LaunchShape Launch(int m, int n) => new(LaunchGeometry.Blocks(Tiles(m, n), 1), (uint)Threads);
}
