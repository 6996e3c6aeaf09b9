using System.Runtime.CompilerServices;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

// Memory, launches, synchronisation and the error policy shared by every op family.
public sealed partial class CudaBackend
{
    /// <summary>Ints in the device fault record {recorded, op, position, value, bound} of index_range_check.</summary>
    private const int FaultRecordInts = 5;

    private readonly DeviceMemory _faults;
    private bool _faultCheckPending;

    /// <summary>The ops whose indices index_range_check validates (the op code in the fault record).</summary>
    private enum CheckedOp
    {
        GatherRows = 1,
        ArgMaxCountCorrect = 2,
        SoftmaxCrossEntropy = 3,
    }

    /// <summary>The device address of a tensor's first element.</summary>
    private static unsafe ulong Address<TElement>(Tensor<TElement> tensor) where TElement : unmanaged =>
        ((DeviceMemory)tensor.Storage).Pointer + (ulong)tensor.Offset * (ulong)sizeof(TElement);

    /// <inheritdoc/>
    protected override TensorStorage AllocateStorage(long bytes)
    {
        EnsureUsable();
        var memory = new DeviceMemory(this, Context, bytes, Allocations);
        try
        {
            // Zero-filled as the contract says, queued on the stream, so ahead of any use of the tensor.
            Call(cuMemsetD8Async(memory.Pointer, 0, (nuint)Math.Max(bytes, 4), _stream.Handle), nameof(cuMemsetD8Async));
        }
        catch
        {
            memory.Dispose();
            throw;
        }
        return memory;
    }

    /// <inheritdoc/>
    protected override unsafe void UploadCore(TensorStorage destination, long byteOffset, ReadOnlySpan<byte> source)
    {
        EnsureUsable();
        ThrowIfRecording(nameof(Upload));
        if (source.IsEmpty) return;
        // The host span is only pinned during this call, so the copy must be complete before it returns.
        fixed (byte* host = source)
        {
            Call(cuMemcpyHtoDAsync_v2(((DeviceMemory)destination).Pointer + (ulong)byteOffset, host, (nuint)source.Length,
                _stream.Handle), nameof(cuMemcpyHtoDAsync_v2));
            Call(cuStreamSynchronize(_stream.Handle), nameof(cuStreamSynchronize));
        }
    }

    /// <inheritdoc/>
    protected override unsafe void DownloadCore(Span<byte> destination, TensorStorage source, long byteOffset)
    {
        EnsureUsable();
        ThrowIfRecording(nameof(Download));
        fixed (byte* host = destination)
        {
            if (!destination.IsEmpty)
            {
                Call(cuMemcpyDtoHAsync_v2(host, ((DeviceMemory)source).Pointer + (ulong)byteOffset,
                    (nuint)destination.Length, _stream.Handle), nameof(cuMemcpyDtoHAsync_v2));
            }
            Call(cuStreamSynchronize(_stream.Handle), nameof(cuStreamSynchronize));
        }
        ReportFaults();
    }

    /// <summary>Waits for every queued op; throws the first device-side argument error found since the last wait.</summary>
    public override void Synchronize()
    {
        base.Synchronize();
        EnsureUsable();
        ThrowIfRecording(nameof(Synchronize));
        Call(cuStreamSynchronize(_stream.Handle), nameof(cuStreamSynchronize));
        ReportFaults();
    }

    /// <summary>
    /// Queues <paramref name="kernel"/> on the stream. <paramref name="arguments"/> holds one pointer per kernel
    /// parameter, to a value of exactly the parameter's type (device pointers as <see cref="ulong"/>, <c>int</c>,
    /// <c>float</c>): callers stackalloc it, so a launch allocates nothing.
    /// </summary>
    private unsafe void Launch(Kernel kernel, LaunchShape shape, ReadOnlySpan<nint> arguments)
    {
        EnsureUsable();
        nint function = _module.Function(kernel);
        if (_recording is { } recording)
        {
            recording.AddKernel(kernel, function, shape, arguments, _module.ParameterSizes(kernel));
            return;
        }
        fixed (nint* parameters = arguments)
        {
            Call(cuLaunchKernel(function, shape.GridX, shape.GridY, 1, shape.BlockX, shape.BlockY, 1, shape.SharedBytes,
                _stream.Handle, (void**)parameters, null), $"cuLaunchKernel({KernelNames.Of(kernel)})");
        }
        AfterLaunch(KernelNames.Of(kernel));
    }

    /// <summary>In synchronous mode, waits so that a fault surfaces here, naming what was launched.</summary>
    private void AfterLaunch(string launched)
    {
        if (!SynchronizeAfterEachLaunch) return;
        Call(cuStreamSynchronize(_stream.Handle), $"cuStreamSynchronize (after {launched})");
    }

    /// <summary>Queues index_range_check of <paramref name="indices"/> against [0, <paramref name="bound"/>); the op's
    /// kernel, queued next, reads the fault record and writes nothing when a fault is recorded.</summary>
    private unsafe void CheckIndices(CheckedOp op, Tensor<int> indices, int bound)
    {
        int n = indices.Length, code = (int)op;
        ulong status = _faults.Pointer, values = Address(indices);
        Launch(Kernel.IndexRangeCheck, new LaunchShape(1, LaunchGeometry.BlockThreads),
            stackalloc nint[] { (nint)(&status), (nint)(&values), (nint)(&n), (nint)(&bound), (nint)(&code) });
        _faultCheckPending = true;
    }

    /// <summary>After the op guarded by <see cref="CheckIndices"/>: in synchronous mode its error is thrown now.</summary>
    private void AfterCheckedOp()
    {
        if (SynchronizeAfterEachLaunch) ReportFaults();
    }

    /// <summary>Reads the fault record once the stream is idle and throws the recorded index error, if any.</summary>
    private unsafe void ReportFaults()
    {
        if (!_faultCheckPending) return;
        _faultCheckPending = false;
        var record = stackalloc int[FaultRecordInts];
        Call(cuMemcpyDtoHAsync_v2(record, _faults.Pointer, FaultRecordInts * sizeof(int), _stream.Handle),
            nameof(cuMemcpyDtoHAsync_v2));
        Call(cuStreamSynchronize(_stream.Handle), nameof(cuStreamSynchronize));
        if (record[0] == 0) return;
        Call(cuMemsetD32Async(_faults.Pointer, 0, FaultRecordInts, _stream.Handle), nameof(cuMemsetD32Async));
        int position = record[2], value = record[3], bound = record[4];
        string when = SynchronizeAfterEachLaunch ? "" : " (found on the device; reported at the next synchronisation)";
        throw (CheckedOp)record[1] switch
        {
            CheckedOp.GatherRows => new ArgumentOutOfRangeException("indices", value,
                $"GatherRows: argument 'indices' holds {value} at position {position}, outside the rows [0, {bound}) " +
                $"of 'x'{when}. Nothing was written."),
            CheckedOp.SoftmaxCrossEntropy => new ArgumentOutOfRangeException("labels", value,
                $"SoftmaxCrossEntropy: argument 'labels' holds {value} at row {position}, outside the classes " +
                $"[0, {bound}) of 'logits'{when}. Nothing was written."),
            _ => new ArgumentOutOfRangeException("labels", value,
                $"ArgMaxCountCorrect: argument 'labels' holds {value} at position {position}, outside the classes " +
                $"[0, {bound}) of 'logits'{when}. Nothing was counted."),
        };
    }

    /// <summary>Throws a <see cref="CudaException"/> for a failed call; remembers a sticky one so that every later
    /// call is refused by <see cref="EnsureUsable"/>.</summary>
    private void Call(CudaResult result, string call)
    {
        if (result == CudaResult.Success) return;
        var error = Failure(result, call);
        if (error.IsSticky) _stickyError = error;
        throw error;
    }

    /// <summary>Refuses work after a sticky error, and makes the context current on this thread.</summary>
    private void EnsureUsable([CallerMemberName] string? caller = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_stickyError is { } sticky)
        {
            throw new InvalidOperationException(
                $"CudaBackend: {caller} refused: the CUDA context of device {Context.Device} hit {sticky.ErrorName} in " +
                $"{sticky.Call} and cannot run further work. Dispose this backend; CUDA needs a new process to use " +
                "the device again.", sticky);
        }
        Context.MakeCurrent();
    }
}
