namespace CudaNet.Cuda;

/// <summary>What a <see cref="StepGraph"/> needs from the device: the CUDA backend's driver calls, or a test's fake.</summary>
internal interface IStepGraphExecutor
{
    /// <summary>From now until <see cref="EndRecording"/>, the backend's ops append to <paramref name="recording"/>
    /// instead of queueing.</summary>
    void BeginRecording(StepRecording recording);

    /// <summary>The backend's ops queue again.</summary>
    void EndRecording();

    /// <summary>Queues command <paramref name="index"/> of <paramref name="recording"/> on the stream (captured when a
    /// capture is open).</summary>
    void Issue(StepRecording recording, int index);

    /// <summary>Starts capturing the stream into a new graph.</summary>
    void BeginCapture();

    /// <summary>The graph node the last <see cref="Issue"/> added to the open capture.</summary>
    nint LastCapturedNode();

    /// <summary>Ends the capture and instantiates its graph.</summary>
    (nint Graph, nint Executable) EndCapture();

    /// <summary>Ends a capture that failed, discarding its graph; never throws.</summary>
    void AbandonCapture();

    /// <summary>Sets the geometry and arguments of kernel node <paramref name="node"/> of <paramref name="executable"/>
    /// to those of command <paramref name="index"/> (same kernel).</summary>
    void Update(nint executable, nint node, StepRecording recording, int index);

    /// <summary>Queues one replay of <paramref name="executable"/>.</summary>
    void Launch(nint executable);

    /// <summary>Frees a graph and its executable.</summary>
    void Destroy(nint graph, nint executable);
}

/// <summary>
/// <see cref="IStepGraph"/> on a CUDA stream (DESIGN.md §3). Each <see cref="Run"/> records the step's commands (the
/// step runs its host code once, as it would directly); when they have the structure of the captured graph, the kernel
/// nodes whose geometry or arguments changed are updated in place (<c>cuGraphExecKernelNodeSetParams</c>: a batch's
/// index view, a dropout offset) and the graph is launched once; otherwise the recording is captured into a new graph,
/// which is launched. A static training step thus costs one graph launch and a handful of node updates instead of
/// forty launches. Not thread-safe, like its backend.
/// </summary>
internal sealed class StepGraph(IStepGraphExecutor executor) : IStepGraph
{
    private StepRecording _pending = new(), _captured = new();
    private nint[] _nodes = new nint[64];
    private nint _graph, _executable;
    private long _steps, _captures, _replays, _updatedNodes;
    private bool _disposed;

    /// <inheritdoc/>
    public StepGraphCounters Counters => new(_steps, _captures, _replays, _updatedNodes, _captured.Count);

    /// <inheritdoc/>
    public void Run(Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var recording = _pending;
        recording.Clear();
        executor.BeginRecording(recording);
        try
        {
            step();
        }
        finally
        {
            executor.EndRecording();
        }
        _steps++;
        if (recording.Count == 0) return;
        try
        {
            if (_executable != 0 && recording.SameStructure(_captured)) Replay(recording);
            else Capture(recording);
        }
        catch
        {
            // The executable may now hold arguments _captured does not describe: the next step captures afresh.
            Release();
            throw;
        }
        (_pending, _captured) = (_captured, recording);
    }

    private void Replay(StepRecording recording)
    {
        for (int i = 0; i < recording.Count; i++)
        {
            if (recording[i].Kind != StepCommandKind.Kernel || recording.SameLaunch(i, _captured)) continue;
            executor.Update(_executable, _nodes[i], recording, i);
            _updatedNodes++;
        }
        executor.Launch(_executable);
        _replays++;
    }

    private void Capture(StepRecording recording)
    {
        Release();
        if (_nodes.Length < recording.Count) _nodes = new nint[Math.Max(2 * _nodes.Length, recording.Count)];
        executor.BeginCapture();
        try
        {
            for (int i = 0; i < recording.Count; i++)
            {
                executor.Issue(recording, i);
                _nodes[i] = executor.LastCapturedNode();
            }
        }
        catch
        {
            executor.AbandonCapture();
            throw;
        }
        (_graph, _executable) = executor.EndCapture();
        _captures++;
        executor.Launch(_executable);
    }

    private void Release()
    {
        if (_executable == 0) return;
        executor.Destroy(_graph, _executable);
        (_graph, _executable) = (0, 0);
    }

    /// <summary>Frees the graph (queued replays finish first: the driver defers the release).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Release();
    }
}
