using BenchmarkDotNet.Attributes;
using CudaNet.Cpu;

namespace CudaNet.Bench.Cpu;

/// <summary>SGEMM on the CPU at the MLP's shapes (batch 128) and a square size: SIMD kernel vs the plain-loop
/// reference. <c>cudanet bench</c> reports the same shapes against OpenBLAS.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private CpuBackend<float> _cpu = null!;
    private Tensor<float> _a = null!, _b = null!, _c = null!, _bias = null!;

    [Params("128x512x784", "128x512x512", "512x512x512")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var mnk = Shape.Split('x').Select(int.Parse).ToArray();
        _cpu = new CpuBackend<float>();
        _a = _cpu.FromArray(Data.Uniform(1, mnk[0] * mnk[2]), mnk[0], mnk[2]);
        _b = _cpu.FromArray(Data.Uniform(2, mnk[1] * mnk[2]), mnk[1], mnk[2]);
        _bias = _cpu.FromArray(Data.Uniform(3, mnk[1]), mnk[1]);
        _c = _cpu.Allocate<float>(mnk[0], mnk[1]);
    }

    /// <summary>Y = ReLU(X·Wᵀ + b), the dense layer's forward pass with the fused epilogue.</summary>
    [Benchmark]
    public void DenseForwardFused() => _cpu.Gemm(_c, _a, false, _b, true, 1, 0, _bias, Activation.ReLU);

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _a, _b, _c, _bias }) t.Dispose();
        _cpu.Dispose();
    }
}
