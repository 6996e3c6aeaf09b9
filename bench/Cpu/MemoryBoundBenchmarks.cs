using BenchmarkDotNet.Attributes;
using CudaNet.Cpu;

namespace CudaNet.Bench.Cpu;

/// <summary>Memory-bound ops on 16M floats beside a copy of the same bytes (the bandwidth reference).</summary>
[MemoryDiagnoser]
public class MemoryBoundBenchmarks
{
    private const int N = 1 << 24, Features = 1024;
    private CpuBackend<float> _cpu = null!;
    private Tensor<float> _x = null!, _y = null!, _g = null!, _m = null!, _v = null!, _gamma = null!, _beta = null!, _stats = null!;
    private float[] _source = null!, _target = null!;
    private long _step;

    [GlobalSetup]
    public void Setup()
    {
        _cpu = new CpuBackend<float>();
        _x = _cpu.FromArray(Data.Uniform(1, N));
        _g = _cpu.FromArray(Data.Uniform(2, N));
        (_y, _m, _v) = (_cpu.Allocate<float>(N), _cpu.Allocate<float>(N), _cpu.Allocate<float>(N));
        _gamma = _cpu.FromArray(Enumerable.Repeat(1f, Features).ToArray());
        _beta = _cpu.Allocate<float>(Features);
        _stats = _cpu.Allocate<float>(4 * Features);
        (_source, _target) = (new float[N], new float[N]);
    }

    /// <summary>Reference: 64 MB read + 64 MB written.</summary>
    [Benchmark(Baseline = true)]
    public void Copy() => _source.AsSpan().CopyTo(_target);

    [Benchmark]
    public void ReluForward() => _cpu.ActivationForward(_y, _x, Activation.ReLU);

    [Benchmark]
    public void DropoutForward() => _cpu.DropoutForward(_y, _x, 0.2, 42, 7);

    [Benchmark]
    public void AdamUpdate() => _cpu.AdamUpdate(_y, _g, _m, _v, null, new AdamSettings(), new UpdateStep(1e-3, ++_step));

    [Benchmark]
    public void BatchNormTrainingForward()
    {
        using var x = _x.Reshape(N / Features, Features);
        using var y = _y.Reshape(N / Features, Features);
        _cpu.BatchNormForwardTraining(y, _stats.View(0, Features), _stats.View(Features, Features), _stats.View(2 * Features, Features),
            _stats.View(3 * Features, Features), x, _gamma, _beta, 0.1, 1e-5);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _x, _y, _g, _m, _v, _gamma, _beta, _stats }) t.Dispose();
        _cpu.Dispose();
    }
}

/// <summary>Seeded benchmark inputs.</summary>
internal static class Data
{
    public static float[] Uniform(ulong seed, int n)
    {
        var random = new HostRandom(seed, 0xBE);
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float)random.Uniform(-1, 1);
        return values;
    }
}
