using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>
/// A captured and instantiated CUDA graph (DESIGN.md §3): the launches queued on a stream between
/// <c>cuStreamBeginCapture</c> and <c>cuStreamEndCapture</c>, replayed with one <see cref="Launch"/>. The graph
/// replays the same kernels with the same arguments (the same buffers), so it suits a step with static shapes
/// whose inputs are refreshed in place. Disposing twice is harmless.
/// </summary>
public sealed unsafe class CudaGraph : IDisposable
{
    private readonly CudaContext _context;
    private nint _graph;
    private nint _executable;

    private CudaGraph(CudaContext context, nint graph, nint executable)
    {
        _context = context;
        _graph = graph;
        _executable = executable;
    }

    /// <summary>Captures what <paramref name="queue"/> queues on <paramref name="stream"/> and instantiates it. The
    /// callback must only queue work (no synchronisation or host copies: those end the capture with an error).
    /// Thread-local capture mode, so other threads' CUDA calls are not affected.</summary>
    internal static CudaGraph Capture(CudaContext context, CudaStream stream, Action queue)
    {
        context.MakeCurrent();
        ThrowIfFailed(cuStreamBeginCapture_v2(stream.Handle, StreamCaptureMode.ThreadLocal), nameof(cuStreamBeginCapture_v2));
        nint graph = 0;
        try
        {
            queue();
        }
        finally
        {
            // End the capture even when the callback threw, so the stream is usable again.
            var ended = cuStreamEndCapture(stream.Handle, &graph);
            if (ended != CudaResult.Success && graph != 0) cuGraphDestroy(graph);
            ThrowIfFailed(ended, nameof(cuStreamEndCapture));
        }
        nint executable;
        var instantiated = cuGraphInstantiateWithFlags(&executable, graph, 0);
        if (instantiated != CudaResult.Success)
        {
            cuGraphDestroy(graph);
            throw Failure(instantiated, nameof(cuGraphInstantiateWithFlags));
        }
        return new CudaGraph(context, graph, executable);
    }

    /// <summary>Queues one replay of the whole graph on <paramref name="stream"/>.</summary>
    internal void Launch(CudaStream stream)
    {
        ObjectDisposedException.ThrowIf(_executable == 0, this);
        _context.MakeCurrent();
        ThrowIfFailed(cuGraphLaunch(_executable, stream.Handle), nameof(cuGraphLaunch));
    }

    /// <summary>Destroys the executable graph and the graph.</summary>
    public void Dispose()
    {
        if (_executable == 0) return;
        _context.MakeCurrent();
        cuGraphExecDestroy(_executable);
        cuGraphDestroy(_graph);
        _executable = 0;
        _graph = 0;
    }
}
