using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

// Elementwise family: launchers of the kernels of kernels.cu's sections fill … argmax_count_correct. Each passes
// its arguments in the kernel's parameter order and types (pointers as 64-bit device addresses).
public sealed partial class CudaBackend
{
    /// <summary>Blocks of squared_norm_forward: fixed, never sized to the device, so the summation order (and the
    /// result) is the same on every run and every GPU. kernels.cu documents the two passes.</summary>
    internal const int SquaredNormBlocks = 256;

    /// <summary>Rows per 256-thread block of the one-warp-per-row kernels (row_sum, argmax_count_correct).</summary>
    private const int RowsPerBlock = LaunchGeometry.BlockThreads / 32;

    /// <summary>Columns and row slices of a column_sum block (32 × 8 threads).</summary>
    private const int ColumnTile = 32, ColumnSlices = 8;

    private readonly DeviceMemory _partials;

    private int Multiprocessors => Context.MultiprocessorCount;

    /// <inheritdoc/>
    protected override unsafe void FillCore(Tensor<float> x, float value)
    {
        ulong target = Address(x);
        int n = x.Length;
        Launch(Kernel.FillForward, LaunchGeometry.Elementwise(n, Multiprocessors),
            stackalloc nint[] { (nint)(&target), (nint)(&value), (nint)(&n) });
    }

    /// <inheritdoc/>
    protected override void CopyCore(Tensor<float> y, Tensor<float> x)
    {
        EnsureUsable();
        ulong destination = Address(y), source = Address(x);
        if (destination == source) return;
        nuint bytes = (nuint)x.Length * sizeof(float);
        bool overlapping = ReferenceEquals(y.Storage, x.Storage) && y.Offset < x.Offset + x.Length &&
                           x.Offset < y.Offset + y.Length;
        if (!overlapping && _recording is { } recording)
        {
            recording.AddCopy(destination, source, bytes);
            return;
        }
        if (!overlapping)
        {
            Call(cuMemcpyDtoDAsync_v2(destination, source, bytes, _stream.Handle), nameof(cuMemcpyDtoDAsync_v2));
            AfterLaunch(nameof(cuMemcpyDtoDAsync_v2));
            return;
        }
        // A device copy between overlapping ranges is undefined, so memmove goes through a temporary buffer. Rare
        // (the CPU contract allows it), so the temporary is allocated here; freeing it waits for the stream.
        ThrowIfRecording("Copy between overlapping ranges");
        using var bounce = new DeviceMemory(this, Context, (long)bytes, counter: null);
        Call(cuMemcpyDtoDAsync_v2(bounce.Pointer, source, bytes, _stream.Handle), nameof(cuMemcpyDtoDAsync_v2));
        Call(cuMemcpyDtoDAsync_v2(destination, bounce.Pointer, bytes, _stream.Handle), nameof(cuMemcpyDtoDAsync_v2));
        Call(cuStreamSynchronize(_stream.Handle), nameof(cuStreamSynchronize));
    }

    /// <inheritdoc/>
    protected override unsafe void ScaleCore(Tensor<float> y, Tensor<float> x, float alpha)
    {
        ulong output = Address(y), input = Address(x);
        int n = x.Length;
        Launch(Kernel.ScaleForward, LaunchGeometry.Elementwise(n, Multiprocessors),
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&alpha), (nint)(&n) });
    }

    /// <inheritdoc/>
    protected override unsafe void AxpyCore(Tensor<float> y, Tensor<float> x, float alpha)
    {
        ulong output = Address(y), input = Address(x);
        int n = x.Length;
        Launch(Kernel.AxpyForward, LaunchGeometry.Elementwise(n, Multiprocessors),
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&alpha), (nint)(&n) });
    }

    /// <inheritdoc/>
    protected override unsafe void SquaredNormCore(Tensor<float> result, Tensor<float> x)
    {
        ulong partials = _partials.Pointer, input = Address(x), output = Address(result);
        int n = x.Length, count = SquaredNormBlocks;
        Launch(Kernel.SquaredNormForward, new LaunchShape(SquaredNormBlocks, LaunchGeometry.BlockThreads),
            stackalloc nint[] { (nint)(&partials), (nint)(&input), (nint)(&n) });
        Launch(Kernel.SquaredNormCombine, new LaunchShape(1, LaunchGeometry.BlockThreads),
            stackalloc nint[] { (nint)(&output), (nint)(&partials), (nint)(&count) });
    }

    /// <inheritdoc/>
    protected override unsafe void ColumnSumCore(Tensor<float> y, Tensor<float> x)
    {
        ulong output = Address(y), input = Address(x);
        int rows = x.Shape[0], columns = x.Shape[1];
        var shape = new LaunchShape(LaunchGeometry.Blocks(columns, ColumnTile), ColumnTile, BlockY: ColumnSlices);
        Launch(Kernel.ColumnSumForward, shape,
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&rows), (nint)(&columns) });
    }

    /// <inheritdoc/>
    protected override unsafe void RowSumCore(Tensor<float> y, Tensor<float> x)
    {
        ulong output = Address(y), input = Address(x);
        int rows = x.Shape[0], columns = x.Shape[1];
        var shape = new LaunchShape(LaunchGeometry.Blocks(rows, RowsPerBlock), LaunchGeometry.BlockThreads);
        Launch(Kernel.RowSumForward, shape,
            stackalloc nint[] { (nint)(&output), (nint)(&input), (nint)(&rows), (nint)(&columns) });
    }

    /// <summary>Validated <see cref="BackendBase{T}.GatherRows"/>. An index outside the rows of x is found on the
    /// device: y is left untouched and the <see cref="ArgumentOutOfRangeException"/> is thrown at the next
    /// synchronisation (Download, Synchronize), or by this call with <see cref="SynchronizeAfterEachLaunch"/>.</summary>
    protected override unsafe void GatherRowsCore(Tensor<float> y, Tensor<float> x, Tensor<int> indices)
    {
        CheckIndices(CheckedOp.GatherRows, indices, x.Shape[0]);
        ulong output = Address(y), input = Address(x), rows = Address(indices), status = _faults.Pointer;
        int batch = y.Shape[0], columns = y.Shape[1];
        Launch(Kernel.GatherRowsForward, LaunchGeometry.Elementwise((long)batch * columns, Multiprocessors),
            stackalloc nint[]
            {
                (nint)(&output), (nint)(&input), (nint)(&rows), (nint)(&status), (nint)(&batch), (nint)(&columns),
            });
        AfterCheckedOp();
    }

    /// <summary>Validated <see cref="BackendBase{T}.ArgMaxCountCorrect"/>. A label outside the classes is found on
    /// the device: nothing is counted and the <see cref="ArgumentOutOfRangeException"/> is thrown at the next
    /// synchronisation, or by this call with <see cref="SynchronizeAfterEachLaunch"/>.</summary>
    protected override unsafe void ArgMaxCountCorrectCore(Tensor<int> correct, Tensor<float> logits, Tensor<int> labels)
    {
        CheckIndices(CheckedOp.ArgMaxCountCorrect, labels, logits.Shape[1]);
        ulong counter = Address(correct), values = Address(logits), targets = Address(labels), status = _faults.Pointer;
        int rows = logits.Shape[0], classes = logits.Shape[1];
        var shape = new LaunchShape(LaunchGeometry.GridStrideBlocks(rows, RowsPerBlock, Multiprocessors),
            LaunchGeometry.BlockThreads);
        Launch(Kernel.ArgMaxCountCorrectForward, shape,
            stackalloc nint[]
            {
                (nint)(&counter), (nint)(&values), (nint)(&targets), (nint)(&status), (nint)(&rows), (nint)(&classes),
            });
        AfterCheckedOp();
    }
}
