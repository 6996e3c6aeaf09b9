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

    /// <summary>Whether a failure of the graph machinery leaves the device usable, so the step can still be issued
    /// directly (a sticky CUDA error does not).</summary>
    bool IsRecoverable(Exception error);
}

/// <summary>
/// <see cref="IStepGraph"/> on a CUDA stream (DESIGN.md §3). Each <see cref="Run"/> records the step's commands (the
/// step runs its host code once, as it would directly); when they have the structure of the captured graph, the kernel
/// nodes whose geometry or arguments changed are updated in place (<c>cuGraphExecKernelNodeSetParams</c>: a batch's
/// index view, a dropout offset) and the graph is launched once; otherwise the recording is captured into a new graph,
/// which is launched. A static training step thus costs one graph launch and a handful of node updates instead of
/// forty launches. Graphs are an optimisation, never a reason to fail: when capturing, updating or launching fails
/// and the device is still usable, the step's recorded commands are issued directly, and so are those of every later
/// step (<see cref="StepGraphCounters.DisabledReason"/> says why). Not thread-safe, like its backend.
/// </summary>
internal sealed class StepGraph(IStepGraphExecutor executor) : IStepGraph
{
    private StepRecording _pending = new(), _captured = new();
    private nint[] _nodes = new nint[64];
    private nint _graph, _executable;
    private long _steps, _captures, _replays, _updatedNodes;
    private string? _disabledReason;
    private bool _disposed;

    /// <inheritdoc/>
    public StepGraphCounters Counters => new(_steps, _captures, _replays, _updatedNodes, _captured.Count, _disabledReason);

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
        if (_disabledReason is not null)
        {
            IssueDirectly(recording);
            return;
        }
        try
        {
            if (_executable != 0 && recording.SameStructure(_captured)) Replay(recording);
            else Capture(recording);
        }
        catch (Exception error)
        {
            // Nothing of this step has run (a failed launch queues nothing); the executable may hold arguments that
            // _captured does not describe, so it goes, and so do graphs, while the device still works.
            Release();
            if (!executor.IsRecoverable(error)) throw;
            _disabledReason = error.Message;
            IssueDirectly(recording);
            return;
        }
        (_pending, _captured) = (_captured, recording);
    }

    private void IssueDirectly(StepRecording recording)
    {
        for (int i = 0; i < recording.Count; i++) executor.Issue(recording, i);
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
