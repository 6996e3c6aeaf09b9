using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>A non-blocking stream (it does not synchronise with the legacy default stream): work queued on it
/// runs in order. Disposing twice is harmless.</summary>
public sealed unsafe class CudaStream : IDisposable
{
    private readonly CudaContext _context;
    private nint _stream;

    internal CudaStream(CudaContext context)
    {
        _context = context;
        context.MakeCurrent();
        nint stream;
        ThrowIfFailed(cuStreamCreate(&stream, StreamNonBlocking), nameof(cuStreamCreate));
        _stream = stream;
    }

    internal nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_stream == 0, this);
            return _stream;
        }
    }

    /// <summary>Waits until everything queued so far has finished.</summary>
    public void Synchronize()
    {
        _context.MakeCurrent();
        ThrowIfFailed(cuStreamSynchronize(Handle), nameof(cuStreamSynchronize));
    }

    /// <summary>Destroys the stream; queued work still completes.</summary>
    public void Dispose()
    {
        if (_stream == 0) return;
        _context.MakeCurrent();
        cuStreamDestroy_v2(_stream);
        _stream = 0;
    }
}
