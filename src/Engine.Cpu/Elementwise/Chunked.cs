using System.Numerics;

namespace CudaNet.Cpu.Elementwise;

/// <summary>The body of a loop over an index range [start, end). A struct, so that the common single-chunk case
/// runs it directly without allocating a closure.</summary>
internal interface IRangeBody
{
    void Run(int start, int end);
}

/// <summary>Runs a loop body inline when the work is one chunk anyway, and through
/// <see cref="CpuBackend{T}.ParallelFor"/> otherwise.</summary>
internal static class Chunked
{
    /// <summary>Smallest amount of work (elements) worth handing to another thread.</summary>
    public const int ElementGrain = 1 << 15;

    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="count"/>) in chunks of at least
    /// <paramref name="grain"/> items; which items form a chunk depends only on count and grain.</summary>
    public static void For<T, TBody>(CpuBackend<T> backend, int count, int grain, TBody body)
        where T : unmanaged, IFloatingPointIeee754<T> where TBody : struct, IRangeBody
    {
        // ParallelFor makes a single chunk below 2·grain; the body is a struct, so the parallel form allocates nothing.
        if (count < 2 * (long)grain || backend.MaxThreads == 1) body.Run(0, count);
        else backend.ParallelFor(count, grain, body, static (body, _, start, end) => body.Run(start, end));
    }

    /// <summary>The item grain that gives each chunk about <see cref="ElementGrain"/> elements when one item
    /// (a row, a column) holds <paramref name="elementsPerItem"/> elements.</summary>
    public static int ItemGrain(int elementsPerItem) => Math.Max(1, ElementGrain / Math.Max(1, elementsPerItem));
}
