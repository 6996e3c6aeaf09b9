namespace CudaNet.Cuda;

/// <summary>The grid and block of one launch (<c>cuLaunchKernel</c>'s x and y dimensions; z is 1).</summary>
internal readonly record struct LaunchShape(uint GridX, uint BlockX, uint GridY = 1, uint BlockY = 1, uint SharedBytes = 0);

/// <summary>The launch-geometry arithmetic of the launchers, as pure functions.</summary>
internal static class LaunchGeometry
{
    /// <summary>Threads per block of the 1-D kernels (8 warps).</summary>
    public const int BlockThreads = 256;

    /// <summary>Resident blocks per SM aimed at by grid-stride kernels: enough to hide memory latency.</summary>
    public const int BlocksPerMultiprocessor = 8;

    /// <summary>The largest grid x-dimension (2³¹ - 1) on compute capability 3.0 and later.</summary>
    public const long MaxGridX = int.MaxValue;

    /// <summary>⌈<paramref name="items"/> / <paramref name="perBlock"/>⌉, at least 1 (a launch needs a block even for
    /// no items).</summary>
    /// <exception cref="ArgumentException">The grid would exceed <see cref="MaxGridX"/> blocks.</exception>
    public static uint Blocks(long items, int perBlock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perBlock);
        long blocks = Math.Max(1, (items + perBlock - 1) / perBlock);
        if (blocks > MaxGridX)
            throw new ArgumentException($"{items} items in blocks of {perBlock} need {blocks} blocks, more than the " +
                                        $"CUDA grid limit of {MaxGridX}.", nameof(items));
        return (uint)blocks;
    }

    /// <summary>The grid of a grid-stride kernel over <paramref name="items"/>: one block per
    /// <paramref name="perBlock"/> items, capped at <see cref="BlocksPerMultiprocessor"/> per SM since the loop covers
    /// the rest (more blocks than the device holds only add scheduling).</summary>
    public static uint GridStrideBlocks(long items, int perBlock, int multiprocessors)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiprocessors);
        long cap = (long)multiprocessors * BlocksPerMultiprocessor;
        return (uint)Math.Min(Blocks(items, perBlock), cap);
    }

    /// <summary>A 1-D grid-stride launch over <paramref name="elements"/> with <see cref="BlockThreads"/> threads.</summary>
    public static LaunchShape Elementwise(long elements, int multiprocessors) =>
        new(GridStrideBlocks(elements, BlockThreads, multiprocessors), BlockThreads);
}
