using BenchmarkDotNet.Attributes;

namespace CudaNet.Bench.Families;

/// <summary>
/// Fused optimizer updates over 16M parameters (64 MB a tensor), with host-scalar step arguments. Napkin math per
/// step: Adam and AdamW read w, g, m, v and write w, m, v (7 × 64 MB = 448 MB, 28 B a parameter); RMSprop and SGD
/// with momentum read w, g and their one state tensor and write w and the state (5 × 64 MB = 320 MB). GB/s = bytes
/// / time in ns; the bandwidth reference is <see cref="ElementwiseBenchmarks.Copy"/> (128 MB).
/// <c>bench/pytorch/adam_step.py</c> is PyTorch's side of the Adam row.
/// </summary>
[MemoryDiagnoser]
public class OptimizerBenchmarks : DeviceBenchmark
{
    private const int N = 1 << 24;
    private Tensor<float> _w = null!, _g = null!, _m = null!, _v = null!;
    private long _step;

    /// <inheritdoc/>
    protected override void Setup() => (_w, _g, _m, _v) = (Random(1, N), Random(2, N), Zeros(N), Zeros(N));

    /// <summary>Adam, PyTorch defaults, lr 1e-3: 448 MB moved.</summary>
    [Benchmark]
    public void Adam()
    {
        Backend.AdamUpdate(_w, _g, _m, _v, null, new AdamSettings(), new UpdateStep(1e-3, ++_step));
        Backend.Synchronize();
    }

    /// <summary>AdamW: Adam with decoupled weight decay 1e-2 folded into the same pass: 448 MB moved.</summary>
    [Benchmark]
    public void AdamW()
    {
        Backend.AdamUpdate(_w, _g, _m, _v, null, new AdamSettings(), new UpdateStep(1e-3, ++_step, WeightDecay: 1e-2));
        Backend.Synchronize();
    }

    /// <summary>RMSprop, PyTorch defaults, lr 1e-2: 320 MB moved.</summary>
    [Benchmark]
    public void RmsProp()
    {
        Backend.RmsPropUpdate(_w, _g, _v, null, null, new RmsPropSettings(), new UpdateStep(1e-2, ++_step));
        Backend.Synchronize();
    }

    /// <summary>SGD with momentum 0.9, lr 1e-2: 320 MB moved.</summary>
    [Benchmark]
    public void SgdMomentum()
    {
        Backend.SgdUpdate(_w, _g, _m, new SgdSettings(Momentum: 0.9), new UpdateStep(1e-2, ++_step));
        Backend.Synchronize();
    }
}
