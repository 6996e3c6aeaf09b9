namespace CudaNet;

/// <summary>
/// A backend's raw buffer (host or device memory). A <see cref="Tensor{T}"/> is a typed view onto one.
/// Implementations keep the memory in a <see cref="System.Runtime.InteropServices.SafeHandle"/> so that a
/// forgotten <c>Dispose</c> still frees it; disposing twice is harmless.
/// </summary>
public abstract class TensorStorage : IDisposable
{
    /// <summary>Creates storage of <paramref name="bytes"/> bytes owned by <paramref name="owner"/>.</summary>
    protected TensorStorage(object owner, long bytes)
    {
        Owner = owner;
        Bytes = bytes;
    }

    /// <summary>The backend that allocated this storage; ops refuse tensors of another backend.</summary>
    public object Owner { get; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>True once the memory has been released.</summary>
    public abstract bool IsDisposed { get; }

    /// <summary>Releases the memory now rather than at finalisation.</summary>
    public abstract void Dispose();
}
