using CudaNet.Cuda;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cli.Bench;

/// <summary>
/// GPU time of our call and of the reference's (DESIGN.md §12): CUDA events recorded on the backend's stream around
/// each call, after a warm-up, the L2 cache flushed before every sample by a memset of a buffer twice its size, the
/// two calls interleaved (ours, reference, ours, …); each figure is the median of its samples.
/// </summary>
internal sealed class GpuTiming : IDisposable
{
    private const double WarmupSeconds = 0.2;
    private readonly CudaBackend _gpu;
    private readonly Tensor<float> _flush;
    private readonly CudaEvent _start, _end;
    private uint _flushValue;

    public GpuTiming(CudaBackend gpu, long l2Bytes)
    {
        _gpu = gpu;
        // Twice the L2 (at least 64 MiB when the driver does not say), so that no operand of the timed call is
        // still cached from the previous sample.
        long flushBytes = Math.Max(2 * l2Bytes, 64L << 20);
        _flush = gpu.Allocate<float>(checked((int)(flushBytes / sizeof(float))));
        _start = gpu.CreateEvent();
        _end = gpu.CreateEvent();
    }

    /// <summary>The bytes each flush writes.</summary>
    public long FlushBytes => (long)_flush.Length * sizeof(float);

    /// <summary>Median seconds of <paramref name="ours"/> and of <paramref name="reference"/> (NaN without one) over
    /// <paramref name="repeats"/> interleaved samples.</summary>
    public (double Ours, double Reference) Paired(Action ours, Action? reference, int repeats)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 3 || clock.Elapsed.TotalSeconds < WarmupSeconds; i++)
        {
            ours();
            reference?.Invoke();
            _gpu.Synchronize();
        }
        var oursSamples = new double[repeats];
        var referenceSamples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            oursSamples[r] = Time(ours);
            if (reference is not null) referenceSamples[r] = Time(reference);
        }
        Array.Sort(oursSamples);
        Array.Sort(referenceSamples);
        return (oursSamples[repeats / 2], reference is null ? double.NaN : referenceSamples[repeats / 2]);
    }

    /// <summary>Median seconds of <paramref name="call"/> timed as bench/pytorch/adam_step.py times PyTorch's step, so the
    /// two compare: <paramref name="warmup"/> calls, then <paramref name="repeats"/> samples with events around each call
    /// and no flush between them.</summary>
    public double Unflushed(Action call, int warmup, int repeats)
    {
        for (int i = 0; i < warmup; i++) call();
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            _start.Record(_gpu.Stream);
            call();
            _end.Record(_gpu.Stream);
            samples[r] = CudaEvent.ElapsedMilliseconds(_start, _end) / 1e3;
        }
        _gpu.Synchronize();
        Array.Sort(samples);
        return samples[repeats / 2];
    }

    private double Time(Action call)
    {
        FlushL2();
        _start.Record(_gpu.Stream);
        call();
        _end.Record(_gpu.Stream);
        double seconds = CudaEvent.ElapsedMilliseconds(_start, _end) / 1e3;
        // Surfaces a device-side error of the call here rather than in a later row.
        _gpu.Synchronize();
        return seconds;
    }

    /// <summary>Queues a memset of the flush buffer on the stream, ahead of the start event (a new value each time,
    /// so that nothing can treat it as already done).</summary>
    private void FlushL2()
    {
        ThrowIfFailed(cuMemsetD32Async(CudaBackend.DeviceAddress(_flush), ++_flushValue, (nuint)_flush.Length,
            _gpu.StreamHandle), nameof(cuMemsetD32Async));
    }

    /// <summary>Queues a device-to-device copy of <paramref name="bytes"/> on the stream: the memory-bound
    /// reference (it reads and writes each byte copied, so it moves twice <paramref name="bytes"/>).</summary>
    public void Copy(Tensor<float> destination, Tensor<float> source, long bytes)
    {
        ThrowIfFailed(cuMemcpyDtoDAsync_v2(CudaBackend.DeviceAddress(destination), CudaBackend.DeviceAddress(source),
            (nuint)bytes, _gpu.StreamHandle), nameof(cuMemcpyDtoDAsync_v2));
    }

    public void Dispose()
    {
        _start.Dispose();
        _end.Dispose();
        _flush.Dispose();
    }
}
