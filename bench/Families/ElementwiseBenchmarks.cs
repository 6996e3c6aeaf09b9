using BenchmarkDotNet.Attributes;

namespace CudaNet.Bench.Families;

/// <summary>
/// ReLU forward and backward on 16M floats (64 MB a tensor) beside the backend's own copy of 16M floats, the
/// bandwidth reference every memory-bound family is read against. Napkin math: copy and forward read 64 MB and
/// write 64 MB (128 MB); backward reads dy and x and writes dx (192 MB). GB/s = bytes / time in ns; the Ratio
/// column is time over the copy's on the same device.
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks : DeviceBenchmark
{
    private const int N = 1 << 24;
    private Tensor<float> _x = null!, _y = null!, _dy = null!;

    /// <inheritdoc/>
    protected override void Setup() => (_x, _y, _dy) = (Random(1, N), Zeros(N), Random(2, N));

    /// <summary>y = x: 128 MB moved.</summary>
    [Benchmark(Baseline = true)]
    public void Copy()
    {
        Backend.Copy(_y, _x);
        Backend.Synchronize();
    }

    /// <summary>y = max(x, 0): 128 MB moved.</summary>
    [Benchmark]
    public void ReluForward()
    {
        Backend.ActivationForward(_y, _x, Activation.ReLU);
        Backend.Synchronize();
    }

    /// <summary>dx = dy where x &gt; 0, else 0: 192 MB moved.</summary>
    [Benchmark]
    public void ReluBackward()
    {
        Backend.ActivationBackward(_y, _dy, _x, _x, Activation.ReLU);
        Backend.Synchronize();
    }
}
