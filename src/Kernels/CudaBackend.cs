using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>
/// The CUDA backend (float32): hand-written kernels from <c>kernels.cu</c>, embedded as PTX and launched through the
/// driver API on one stream per backend (DESIGN.md §3, §5). Every op is asynchronous on that stream; Upload and
/// Download are synchronous with respect to the host (Download waits for the work queued before it).
/// </summary>
/// <remarks>
/// <para>Create it with <see cref="TryCreate"/> (false with a reason on a machine without a usable GPU) or
/// <see cref="Create"/>. Not thread-safe: use one backend per thread, or synchronise.</para>
/// <para>Debugging: with <see cref="SynchronizeAfterEachLaunch"/> (default from the environment variable
/// <c>CUDANET_SYNC=1</c>) the backend waits after every launch, so an asynchronous fault is reported by the launch
/// that caused it. After a sticky error (illegal address, launch failure, …) the CUDA context is unusable and the
/// backend refuses further work with an <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed partial class CudaBackend : BackendBase<float>
{
    /// <summary>The lowest compute capability supported: 7.5 (Turing), the baseline PTX target.</summary>
    public static Version MinimumComputeCapability { get; } = new(7, 5);

    private readonly CudaModule _module;
    private readonly CudaStream _stream;
    private CudaException? _stickyError;

    private CudaBackend(CudaContext context, CudaModule module)
        : base("cuda")
    {
        Context = context;
        _module = module;
        try
        {
            _stream = new CudaStream(context);
            _faults = new DeviceMemory(this, context, FaultRecordInts * sizeof(int), counter: null);
            _partials = new DeviceMemory(this, context, SquaredNormBlocks * sizeof(float), counter: null);
            // On this backend's stream: a non-blocking stream is not ordered after the legacy stream's memsets.
            ThrowIfFailed(cuMemsetD32Async(_faults.Pointer, 0, FaultRecordInts, _stream.Handle), nameof(cuMemsetD32Async));
        }
        catch
        {
            _partials?.Dispose();
            _faults?.Dispose();
            _stream?.Dispose();
            throw;
        }
        SynchronizeAfterEachLaunch = Environment.GetEnvironmentVariable("CUDANET_SYNC") == "1";
    }

    /// <summary>The device and its primary context.</summary>
    public CudaContext Context { get; }

    /// <summary>The PTX target the kernels were JIT-compiled from (<c>sm_80</c> or <c>sm_75</c>).</summary>
    public string Architecture => _module.Architecture;

    /// <summary>Why the sm_80 module of a device of compute capability 8.0 or later failed to JIT, so that the sm_75
    /// one runs (without the tensor-core kernels); null when the best module loaded.</summary>
    public string? ArchitectureFallback { get; private init; }

    /// <summary>The stream every op of this backend is queued on.</summary>
    public CudaStream Stream => _stream;

    /// <summary>The raw handle of <see cref="Stream"/>, for a library (cuBLAS) to queue its work in order with ours.</summary>
    internal nint StreamHandle => _stream.Handle;

    /// <summary>The device address of a tensor of this backend, for a library (cuBLAS) or a driver copy.</summary>
    internal static ulong DeviceAddress(Tensor<float> tensor) => Address(tensor);

    /// <summary>Wait after every launch so that a fault is reported by the launch that caused it, and device-side
    /// argument errors (an index out of range) are thrown by the call that made them. Slow: for debugging and
    /// conformance tests. Defaults to true when the environment variable <c>CUDANET_SYNC</c> is <c>1</c>.</summary>
    public bool SynchronizeAfterEachLaunch { get; set; }

    /// <summary>Creates a backend on <paramref name="device"/>; false with the reason (no driver library, cuInit
    /// failed, no such device, compute capability below 7.5, PTX JIT failure with its log) when it cannot.</summary>
    public static bool TryCreate(out CudaBackend? backend, out string reason, int device = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(device);
        backend = null;
        if (!TryLoad(out reason)) return false;
        CudaContext? context = null;
        CudaModule? module = null;
        try
        {
            var initialised = cuInit(0);
            if (initialised != CudaResult.Success)
            {
                reason = $"cuInit failed with {ErrorName(initialised)} ({ErrorString(initialised)})";
                return false;
            }
            reason = DeviceUnavailable(device) ?? "";
            if (reason.Length > 0) return false;
            context = CudaContext.Open(device);
            string? architecture = CudaModule.ArchitectureFor(context.ComputeCapability);
            if (architecture is null)
            {
                reason = $"{context.Name} has compute capability {context.ComputeCapability}, below the " +
                         $"{MinimumComputeCapability} the kernels need";
                context.Dispose();
                return false;
            }
            module = LoadModule(context, architecture, out reason);
            string? fallback = null;
            if (module is null && architecture != CudaModule.Baseline)
            {
                // Every op has a baseline kernel: a JIT failure of the sm_80 module costs its tensor-core kernels only.
                fallback = $"the {architecture} PTX did not JIT ({reason}); the {CudaModule.Baseline} kernels run instead";
                module = LoadModule(context, CudaModule.Baseline, out reason);
            }
            if (module is null)
            {
                context.Dispose();
                return false;
            }
            backend = new CudaBackend(context, module) { ArchitectureFallback = fallback };
            return true;
        }
        catch (CudaException error)
        {
            module?.Dispose();
            context?.Dispose();
            reason = error.Message;
            return false;
        }
        catch (EntryPointNotFoundException error)
        {
            module?.Dispose();
            context?.Dispose();
            reason = $"the NVIDIA driver is too old (CUDA 11.4 or later is needed): {error.Message}";
            return false;
        }
    }

    /// <summary>Creates a backend on <paramref name="device"/>.</summary>
    /// <exception cref="InvalidOperationException">No usable GPU; the message gives the reason.</exception>
    public static CudaBackend Create(int device = 0) => TryCreate(out var backend, out string reason, device)
        ? backend!
        : throw new InvalidOperationException($"CUDA unavailable: {reason}.");

    private static unsafe string? DeviceUnavailable(int device)
    {
        int count;
        var counted = cuDeviceGetCount(&count);
        if (counted != CudaResult.Success) return $"cuDeviceGetCount failed with {ErrorName(counted)}";
        if (count == 0) return "no CUDA device found";
        return device < count ? null : $"no CUDA device {device} (the machine has {count})";
    }

    private static CudaModule? LoadModule(CudaContext context, string architecture, out string reason)
    {
        try
        {
            reason = "";
            return CudaModule.Load(context, architecture);
        }
        catch (CudaException error)
        {
            reason = $"PTX JIT failed: {error.Message}";
            return null;
        }
    }

    /// <summary>Creates a timing event in this backend's context (record it with <see cref="CudaEvent.Record"/> on
    /// <see cref="Stream"/>).</summary>
    public CudaEvent CreateEvent()
    {
        EnsureUsable();
        return new CudaEvent(Context);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        if (_stickyError is null)
        {
            // Queued kernels must finish before their module is unloaded; an error now has nobody to report to.
            Context.MakeCurrent();
            cuStreamSynchronize(_stream.Handle);
        }
        _stream.Dispose();
        _module.Dispose();
        _faults.Dispose();
        _partials.Dispose();
        _splitPartials?.Dispose();
        Context.Dispose();
    }
}
