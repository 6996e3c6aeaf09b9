using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet;

/// <summary>
/// Implements <see cref="IBackend{T}"/>'s public surface once: every op validates its arguments here (so every
/// backend rejects the same calls with the same message) and then calls its <c>…Core</c> method, which a
/// backend implements knowing the arguments are consistent. Empty tensors never reach a core method where the
/// op has nothing to do.
/// </summary>
public abstract partial class BackendBase<T> : IBackend<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private bool _disposed;

    /// <summary>Creates a backend called <paramref name="name"/>.</summary>
    protected BackendBase(string name) => Name = name;

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public AllocationCounter Allocations { get; } = new();

    /// <inheritdoc/>
    public virtual bool SupportsConcurrentCalls => false;

    /// <summary>True once <see cref="Dispose()"/> has run.</summary>
    protected bool IsDisposed => _disposed;

    private OpCheck Check(string op)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new OpCheck(this, op);
    }

    /// <inheritdoc/>
    public Tensor<TElement> Allocate<TElement>(params int[] shape) where TElement : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        Check(nameof(Allocate));
        int length = Tensor<TElement>.ShapeLength(shape);
        var storage = AllocateStorage((long)length * Marshal.SizeOf<TElement>());
        return new Tensor<TElement>(storage, 0, (int[])shape.Clone(), ownsStorage: true);
    }

    /// <inheritdoc/>
    public void Upload<TElement>(Tensor<TElement> destination, ReadOnlySpan<TElement> source) where TElement : unmanaged
    {
        var check = Check(nameof(Upload));
        check.Tensor(destination, nameof(destination));
        if (source.Length != destination.Length)
            throw check.Fail(nameof(source), $"has {source.Length} elements but 'destination' has {destination.Length}");
        UploadCore(destination.Storage, (long)destination.Offset * Marshal.SizeOf<TElement>(), MemoryMarshal.AsBytes(source));
    }

    /// <inheritdoc/>
    public void Download<TElement>(Tensor<TElement> source, Span<TElement> destination) where TElement : unmanaged
    {
        var check = Check(nameof(Download));
        check.Tensor(source, nameof(source));
        if (source.Length != destination.Length)
            throw check.Fail(nameof(destination), $"has {destination.Length} elements but 'source' has {source.Length}");
        DownloadCore(destination: MemoryMarshal.AsBytes(destination), source.Storage,
            (long)source.Offset * Marshal.SizeOf<TElement>());
    }

    /// <inheritdoc/>
    public virtual void Synchronize() => Check(nameof(Synchronize));

    /// <summary>Allocates zero-filled storage of <paramref name="bytes"/> bytes and counts it in
    /// <see cref="Allocations"/>.</summary>
    protected abstract TensorStorage AllocateStorage(long bytes);

    /// <summary>Copies <paramref name="source"/> into storage at <paramref name="byteOffset"/>.</summary>
    protected abstract void UploadCore(TensorStorage destination, long byteOffset, ReadOnlySpan<byte> source);

    /// <summary>Copies storage from <paramref name="byteOffset"/> into <paramref name="destination"/>.</summary>
    protected abstract void DownloadCore(Span<byte> destination, TensorStorage source, long byteOffset);

    /// <summary>Releases the backend's own resources; tensors it allocated stay valid until disposed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; <paramref name="disposing"/> is false on the finalizer thread.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Converts a double hyperparameter to the compute type.</summary>
    protected static T Cast(double value) => T.CreateTruncating(value);
}
