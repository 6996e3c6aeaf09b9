using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>Which implementation of every op a <see cref="CpuBackend{T}"/> runs.</summary>
public enum CpuKernels
{
    /// <summary>Vectorised (<c>Vector&lt;T&gt;</c>) and multithreaded over cores where the work is large.</summary>
    Simd,
    /// <summary>Plain scalar loops on one thread: the correctness reference every other backend is tested against.</summary>
    Reference,
}

/// <summary>
/// The CPU backend, generic over float (training) and double (gradient checks). Each op has a plain-loop
/// reference and a SIMD implementation; <see cref="CpuKernels"/> picks which one runs.
/// </summary>
/// <remarks>
/// Reductions split their work into fixed-size blocks combined in a fixed order, so results do not depend on
/// the thread count. Not thread-safe: use one backend per thread, or synchronise.
/// </remarks>
public sealed partial class CpuBackend<T> : BackendBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a CPU backend.</summary>
    /// <param name="kernels">SIMD (default) or the plain-loop reference.</param>
    /// <param name="maxThreads">Upper bound on worker threads for the SIMD kernels (default: all cores).</param>
    public CpuBackend(CpuKernels kernels = CpuKernels.Simd, int? maxThreads = null)
        : base(kernels == CpuKernels.Reference ? "cpu-reference" : "cpu")
    {
        if (!Enum.IsDefined(kernels)) throw new ArgumentOutOfRangeException(nameof(kernels), kernels, "CpuBackend: unknown kernel set.");
        int threads = maxThreads ?? Environment.ProcessorCount;
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), threads, "CpuBackend: maxThreads must be >= 1.");
        Kernels = kernels;
        MaxThreads = kernels == CpuKernels.Reference ? 1 : threads;
    }

    /// <summary>Ops keep no state in the backend, so disjoint calls may run concurrently (inference predictors).</summary>
    public override bool SupportsConcurrentCalls => true;

    /// <summary>Which implementation runs.</summary>
    public CpuKernels Kernels { get; }

    /// <summary>Upper bound on worker threads (1 for the reference).</summary>
    public int MaxThreads { get; }

    /// <summary>Most chunks one <see cref="ParallelFor"/> splits into (fixed, so results do not depend on the machine).</summary>
    internal const int MaxChunks = 256;

    private bool IsReference => Kernels == CpuKernels.Reference;

    /// <summary>The elements of a tensor of this (or any CPU) backend as a span.</summary>
    internal static unsafe Span<TElement> Span<TElement>(Tensor<TElement> tensor) where TElement : unmanaged =>
        new((TElement*)((NativeStorage)tensor.Storage).Pointer + tensor.Offset, tensor.Length);

    /// <summary>
    /// Runs <paramref name="body"/>(state, chunk, start, end) over [0, <paramref name="count"/>) in chunks of at least
    /// <paramref name="grain"/> items, in parallel (<see cref="CpuWorkers"/>) when there is more than one chunk and
    /// more than one thread. The chunking depends only on count and grain, never on the thread count, and the chunk
    /// index (0 ≤ chunk &lt; <see cref="ChunkCount"/>(count, grain)) lets a reduction keep one partial per chunk and
    /// combine them in chunk order. With a static lambda and a value-tuple state, a call allocates nothing.
    /// </summary>
    internal void ParallelFor<TState>(int count, int grain, TState state, Action<TState, int, int, int> body)
    {
        int chunks = ChunkCount(count, grain);
        if (chunks <= 1)
        {
            if (count > 0) body(state, 0, 0, count);
            return;
        }
        var job = ParallelJob<TState>.Rent(count, chunks, state, body);
        try
        {
            // One thread runs the same chunks in order, so a reduction over per-chunk partials gives the same bits.
            CpuWorkers.Shared.Run(job, MaxThreads);
        }
        finally
        {
            job.Return();
        }
    }

    /// <summary>How many chunks <see cref="ParallelFor{TState}"/> splits [0, count) into (0 when count is 0).</summary>
    internal static int ChunkCount(int count, int grain) =>
        count <= 0 ? 0 : (int)Math.Clamp(count / (long)Math.Max(grain, 1), 1, MaxChunks);

    /// <inheritdoc/>
    protected override TensorStorage AllocateStorage(long bytes) => new NativeStorage(this, bytes, Allocations);

    /// <inheritdoc/>
    protected override unsafe void UploadCore(TensorStorage destination, long byteOffset, ReadOnlySpan<byte> source) =>
        source.CopyTo(new Span<byte>((byte*)((NativeStorage)destination).Pointer + byteOffset, source.Length));

    /// <inheritdoc/>
    protected override unsafe void DownloadCore(Span<byte> destination, TensorStorage source, long byteOffset) =>
        new ReadOnlySpan<byte>((byte*)((NativeStorage)source).Pointer + byteOffset, destination.Length).CopyTo(destination);
}
