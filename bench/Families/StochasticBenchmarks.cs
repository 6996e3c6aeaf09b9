using BenchmarkDotNet.Attributes;

namespace CudaNet.Bench.Families;

/// <summary>
/// Inverted dropout, p = 0.2, on 16M floats. The Philox mask is regenerated from (seed, offset, i) rather than
/// stored, so both directions read one tensor and write one. Napkin math: 128 MB per call (64 MB in, 64 MB out);
/// GB/s = 134,217,728 / time in ns. Compare with <see cref="ElementwiseBenchmarks.Copy"/>, which moves the same
/// bytes: the gap is the cost of generating the mask.
/// </summary>
[MemoryDiagnoser]
public class StochasticBenchmarks : DeviceBenchmark
{
    private const int N = 1 << 24;
    private const double P = 0.2;
    private const ulong Seed = 42, Offset = 7;
    private Tensor<float> _x = null!, _y = null!, _dy = null!;

    /// <inheritdoc/>
    protected override void Setup() => (_x, _y, _dy) = (Random(1, N), Zeros(N), Random(2, N));

    /// <summary>y = x/(1-p) where the mask keeps it, else 0.</summary>
    [Benchmark]
    public void DropoutForward()
    {
        Backend.DropoutForward(_y, _x, P, Seed, Offset);
        Backend.Synchronize();
    }

    /// <summary>dx = dy·m/(1-p) with the forward call's mask.</summary>
    [Benchmark]
    public void DropoutBackward()
    {
        Backend.DropoutBackward(_y, _dy, P, Seed, Offset);
        Backend.Synchronize();
    }
}
