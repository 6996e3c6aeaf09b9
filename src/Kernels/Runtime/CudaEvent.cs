using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>A timing event: record it on a stream before and after some work, then read the elapsed time between
/// the two (the GPU timing of DESIGN.md §12). Disposing twice is harmless.</summary>
public sealed unsafe class CudaEvent : IDisposable
{
    private readonly CudaContext _context;
    private nint _event;

    internal CudaEvent(CudaContext context)
    {
        _context = context;
        context.MakeCurrent();
        nint handle;
        ThrowIfFailed(cuEventCreate(&handle, EventDefault), nameof(cuEventCreate));
        _event = handle;
    }

    private nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_event == 0, this);
            return _event;
        }
    }

    /// <summary>Records the event on <paramref name="stream"/>: it completes when the work queued before it has.</summary>
    public void Record(CudaStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _context.MakeCurrent();
        ThrowIfFailed(cuEventRecord(Handle, stream.Handle), nameof(cuEventRecord));
    }

    /// <summary>Waits until the event has completed.</summary>
    public void Synchronize()
    {
        _context.MakeCurrent();
        ThrowIfFailed(cuEventSynchronize(Handle), nameof(cuEventSynchronize));
    }

    /// <summary>Milliseconds between <paramref name="start"/> and <paramref name="end"/> (both recorded; waits for
    /// <paramref name="end"/>), with the driver's resolution of about half a microsecond.</summary>
    public static float ElapsedMilliseconds(CudaEvent start, CudaEvent end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        end.Synchronize();
        float milliseconds;
        ThrowIfFailed(cuEventElapsedTime(&milliseconds, start.Handle, end.Handle), nameof(cuEventElapsedTime));
        return milliseconds;
    }

    /// <summary>Destroys the event.</summary>
    public void Dispose()
    {
        if (_event == 0) return;
        _context.MakeCurrent();
        cuEventDestroy_v2(_event);
        _event = 0;
    }
}
