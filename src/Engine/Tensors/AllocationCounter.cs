namespace CudaNet;

/// <summary>
/// Counts the live allocations of one backend (how many buffers, how many bytes). Tests assert that it returns
/// to its baseline after a training step, and after a model is disposed (DESIGN.md §3).
/// </summary>
/// <remarks>Thread-safe: buffers may be released on the finalizer thread.</remarks>
public sealed class AllocationCounter
{
    private long _count;
    private long _bytes;

    /// <summary>Buffers allocated and not yet released.</summary>
    public long LiveCount => Interlocked.Read(ref _count);

    /// <summary>Bytes held by the live buffers.</summary>
    public long LiveBytes => Interlocked.Read(ref _bytes);

    internal void Add(long bytes)
    {
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void Remove(long bytes)
    {
        Interlocked.Decrement(ref _count);
        Interlocked.Add(ref _bytes, -bytes);
    }
}
