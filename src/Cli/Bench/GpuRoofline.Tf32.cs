using CudaNet.Cuda;

namespace CudaNet.Cli.Bench;

// The opt-in TF32 GEMM rows (issue "GPU performance"): gemm_tf32_forward at the FP32 rows' size, against cuBLAS SGEMM
// with CUBLAS_TF32_TENSOR_OP_MATH (target 50%) and against our own FP32 GEMM timed interleaved in the same run
// (target 2×). Only on compute capability 8.0 or later; the backend and cuBLAS are back in FP32 afterwards.
internal sealed partial class GpuRoofline
{
    /// <summary>The op name of a TF32 row: "tf32 gemm NT", and "tf32 gemm NT vs fp32" for the ratio to our FP32.</summary>
    public static string Tf32Op(bool transposeA, bool transposeB, bool againstFp32 = false) =>
        $"tf32 gemm {(transposeA ? "T" : "N")}{(transposeB ? "T" : "N")}{(againstFp32 ? " vs fp32" : "")}";

    private IEnumerable<BenchRow> Tf32Gemm(GpuTiming timing, Cublas? cublas, int size, int repeats)
    {
        if (gpu.Tf32Unavailable is not null) yield break;
        foreach (var (ta, tb) in new[] { (false, false), (false, true) })
        {
            if (filter.Includes(Tf32Op(ta, tb))) yield return Tf32Row(timing, cublas, size, ta, tb, repeats);
            if (filter.Includes(Tf32Op(ta, tb, againstFp32: true))) yield return Tf32AgainstFp32(timing, size, ta, tb, repeats);
        }
    }

    private BenchRow Tf32Row(GpuTiming timing, Cublas? cublas, int size, bool ta, bool tb, int repeats)
    {
        using var a = gpu.FromArray(Random(1, size * size), size, size);
        using var b = gpu.FromArray(Random(2, size * size), size, size);
        using var ours = gpu.Allocate<float>(size, size);
        using var theirs = gpu.Allocate<float>(size, size);
        Action? reference = cublas is null ? null : () => cublas.Sgemm(ta, tb, size, size, size, 1,
            CudaBackend.DeviceAddress(a), CudaBackend.DeviceAddress(b), 0, CudaBackend.DeviceAddress(theirs));
        double oursSeconds, referenceSeconds;
        try
        {
            gpu.GemmPrecision = GemmPrecision.Tf32;
            cublas?.UseTf32(true);
            (oursSeconds, referenceSeconds) = timing.Paired(() => gpu.Gemm(ours, a, ta, b, tb, 1, 0), reference, repeats);
        }
        finally
        {
            gpu.GemmPrecision = GemmPrecision.Float32;
            cublas?.UseTf32(false);
        }
        // Both round the inputs to TF32 (2^-11 relative each): sums of k products in [-1, 1] stay far inside 2e-4·k,
        // while a wrong operand mapping differs by the size of the values (√k/3).
        string referenceName = cublas is null ? CublasStatus
            : "cuBLAS SGEMM, CUBLAS_TF32_TENSOR_OP_MATH" + Agreement(ours, theirs, size, tolerancePerK: 2e-4);
        double flops = 2.0 * size * size * size;
        return new BenchRow(Tf32Op(ta, tb), $"{size}x{size}x{size}", "GFLOP/s", oursSeconds, flops / oursSeconds / 1e9,
            referenceName, cublas is null ? null : flops / referenceSeconds / 1e9, 0.50);
    }

    private BenchRow Tf32AgainstFp32(GpuTiming timing, int size, bool ta, bool tb, int repeats)
    {
        using var a = gpu.FromArray(Random(1, size * size), size, size);
        using var b = gpu.FromArray(Random(2, size * size), size, size);
        using var c = gpu.Allocate<float>(size, size);
        void Run(GemmPrecision precision)
        {
            gpu.GemmPrecision = precision;
            gpu.Gemm(c, a, ta, b, tb, 1, 0);
        }
        double tf32Seconds, fp32Seconds;
        try
        {
            (tf32Seconds, fp32Seconds) = timing.Paired(() => Run(GemmPrecision.Tf32), () => Run(GemmPrecision.Float32), repeats);
        }
        finally
        {
            gpu.GemmPrecision = GemmPrecision.Float32;
        }
        double flops = 2.0 * size * size * size;
        return new BenchRow(Tf32Op(ta, tb, againstFp32: true), $"{size}x{size}x{size}", "GFLOP/s", tf32Seconds,
            flops / tf32Seconds / 1e9, "our FP32 GEMM (gemm_forward), same run", flops / fp32Seconds / 1e9, 2.0);
    }
}
