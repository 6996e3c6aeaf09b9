using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

// Step graphs (DESIGN.md §3): while a StepGraph runs its step, Launch and Copy append to _recording instead of queueing;
// the graph then queues the recording as one captured or replayed CUDA graph through the executor below.
public sealed partial class CudaBackend : IStepGraphBackend
{
    /// <summary>CUstreamCaptureStatus CU_STREAM_CAPTURE_STATUS_ACTIVE.</summary>
    private const int CaptureActive = 1;

    private StepRecording? _recording;

    /// <summary>A step graph on this backend's stream; null while <see cref="SynchronizeAfterEachLaunch"/> is on,
    /// since a graph replays its kernels without a wait after each one to report a fault at.</summary>
    public IStepGraph? CreateStepGraph()
    {
        EnsureUsable();
        return SynchronizeAfterEachLaunch ? null : new StepGraph(new GraphExecutor(this));
    }

    /// <summary>Inside a step graph's step only ops may be queued: a host copy or a wait cannot be recorded.</summary>
    private void ThrowIfRecording(string op)
    {
        if (_recording is null) return;
        throw new InvalidOperationException(
            $"CudaBackend: {op} cannot run inside a step graph's step, whose ops are queued when the step ends; " +
            "move it before or after IStepGraph.Run.");
    }

    private sealed unsafe class GraphExecutor(CudaBackend backend) : IStepGraphExecutor
    {
        private nint Stream => backend._stream.Handle;

        public void BeginRecording(StepRecording recording)
        {
            backend.EnsureUsable();
            if (backend._recording is not null)
                throw new InvalidOperationException("CudaBackend: step graphs cannot be nested: a step is already being recorded.");
            backend._recording = recording;
        }

        public void EndRecording() => backend._recording = null;

        public void Issue(StepRecording recording, int index)
        {
            ref readonly var command = ref recording[index];
            if (command.Kind == StepCommandKind.Copy)
            {
                backend.Call(cuMemcpyDtoDAsync_v2(command.Destination, command.Source, (nuint)command.Bytes, Stream),
                    nameof(cuMemcpyDtoDAsync_v2));
                return;
            }
            var shape = command.Shape;
            fixed (ulong* slots = recording.Slots)
            {
                void** arguments = stackalloc void*[command.ArgumentCount];
                for (int i = 0; i < command.ArgumentCount; i++) arguments[i] = slots + command.FirstArgument + i;
                backend.Call(cuLaunchKernel(command.Function, shape.GridX, shape.GridY, 1, shape.BlockX, shape.BlockY, 1,
                    shape.SharedBytes, Stream, arguments, null), $"cuLaunchKernel({KernelNames.Of(command.Kernel)})");
            }
        }

        public void BeginCapture()
        {
            backend.EnsureUsable();
            backend.Call(cuStreamBeginCapture_v2(Stream, StreamCaptureMode.ThreadLocal), nameof(cuStreamBeginCapture_v2));
        }

        public nint LastCapturedNode()
        {
            int status;
            ulong id;
            nint graph;
            nint* dependencies;
            nuint count;
            backend.Call(cuStreamGetCaptureInfo_v2(Stream, &status, &id, &graph, &dependencies, &count),
                nameof(cuStreamGetCaptureInfo_v2));
            // One stream, one command after another: the capture's frontier is exactly the node just added.
            if (status != CaptureActive || count != 1)
            {
                throw new InvalidOperationException(
                    $"CudaBackend: the step capture has {count} frontier nodes (status {status}); expected one.");
            }
            return dependencies[0];
        }

        public (nint Graph, nint Executable) EndCapture()
        {
            nint graph, executable;
            backend.Call(cuStreamEndCapture(Stream, &graph), nameof(cuStreamEndCapture));
            var instantiated = cuGraphInstantiateWithFlags(&executable, graph, 0);
            if (instantiated != CudaResult.Success)
            {
                cuGraphDestroy(graph);
                backend.Call(instantiated, nameof(cuGraphInstantiateWithFlags));
            }
            return (graph, executable);
        }

        public void AbandonCapture()
        {
            nint graph = 0;
            if (cuStreamEndCapture(Stream, &graph) == CudaResult.Success && graph != 0) cuGraphDestroy(graph);
        }

        public void Update(nint executable, nint node, StepRecording recording, int index)
        {
            ref readonly var command = ref recording[index];
            var shape = command.Shape;
            fixed (ulong* slots = recording.Slots)
            {
                void** arguments = stackalloc void*[command.ArgumentCount];
                for (int i = 0; i < command.ArgumentCount; i++) arguments[i] = slots + command.FirstArgument + i;
                var parameters = new KernelNodeParams
                {
                    Function = command.Function,
                    GridX = shape.GridX, GridY = shape.GridY, GridZ = 1,
                    BlockX = shape.BlockX, BlockY = shape.BlockY, BlockZ = 1,
                    SharedMemoryBytes = shape.SharedBytes,
                    Parameters = arguments,
                };
                backend.Call(cuGraphExecKernelNodeSetParams(executable, node, &parameters),
                    $"cuGraphExecKernelNodeSetParams({KernelNames.Of(command.Kernel)})");
            }
        }

        public void Launch(nint executable)
        {
            backend.EnsureUsable();
            backend.Call(cuGraphLaunch(executable, Stream), nameof(cuGraphLaunch));
            // The graph may hold index checks whose record must be read at the next synchronisation.
            backend._faultCheckPending = true;
        }

        public bool IsRecoverable(Exception error) => error switch
        {
            CudaException cuda => !cuda.IsSticky,
            InvalidOperationException => backend._stickyError is null, // LastCapturedNode's, or EnsureUsable's refusal
            // A driver without one of the graph entry points bound here (cuStreamGetCaptureInfo_v2, the v1 form of
            // cuGraphExecKernelNodeSetParams): the rest of the backend works.
            EntryPointNotFoundException => true,
            _ => false,
        };

        public void Destroy(nint graph, nint executable)
        {
            backend.Context.MakeCurrent();
            cuGraphExecDestroy(executable);
            cuGraphDestroy(graph);
        }
    }
}
