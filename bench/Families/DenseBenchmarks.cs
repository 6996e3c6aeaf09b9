using BenchmarkDotNet.Attributes;

namespace CudaNet.Bench.Families;

/// <summary>
/// SGEMM, <c>C = act(op(A)·op(B) + bias)</c>, at the shapes one training step of the 784-512-512-10 MLP runs at
/// batch 128 (forward <c>Y = X·Wᵀ + b</c> with the fused epilogue, backward <c>dX = dY·W</c> (NN) and
/// <c>dW = dYᵀ·X</c> (TN)) and at 1024³. Napkin math: <c>2·M·N·K</c> FLOPs per call (the epilogue's M·N adds are
/// not counted), so GFLOP/s = 2·M·N·K / time in ns; e.g. 128x512x784 is 0.103 GFLOP and 1024³ is 2.15 GFLOP.
/// <c>cudanet bench</c> times most of these shapes against OpenBLAS (CPU) and cuBLAS (GPU).
/// </summary>
[MemoryDiagnoser]
public class DenseBenchmarks : DeviceBenchmark
{
    private Tensor<float> _a = null!, _b = null!, _c = null!, _bias = null!;

    /// <summary>The GEMMs of one MLP step, then the square reference.</summary>
    public static IEnumerable<GemmCase> Cases() =>
    [
        new("fwd", 128, 512, 784, false, true, true, true),
        new("fwd", 128, 512, 512, false, true, true, true),
        // The output layer produces logits: bias, no activation.
        new("fwd", 128, 10, 512, false, true, true, false),
        // The first layer's dX is never computed: nothing upstream needs it.
        new("dX", 128, 512, 512, false, false, false, false),
        new("dX", 128, 512, 10, false, false, false, false),
        new("dW", 512, 784, 128, true, false, false, false),
        new("dW", 512, 512, 128, true, false, false, false),
        new("dW", 10, 512, 128, true, false, false, false),
        new("square", 1024, 1024, 1024, false, false, false, false),
    ];

    /// <summary>The GEMM this case runs.</summary>
    [ParamsSource(nameof(Cases))]
    public GemmCase Case { get; set; } = null!;

    /// <inheritdoc/>
    protected override void Setup()
    {
        var (m, n, k) = (Case.M, Case.N, Case.K);
        _a = Case.TransposeA ? Random(1, k, m) : Random(1, m, k);
        _b = Case.TransposeB ? Random(2, n, k) : Random(2, k, n);
        _bias = Random(3, n);
        _c = Zeros(m, n);
    }

    /// <summary>One GEMM, waited for.</summary>
    [Benchmark]
    public void Gemm()
    {
        Backend.Gemm(_c, _a, Case.TransposeA, _b, Case.TransposeB, 1, 0, Case.Bias ? _bias : null,
            Case.ReLU ? Activation.ReLU : Activation.Identity);
        Backend.Synchronize();
    }
}
