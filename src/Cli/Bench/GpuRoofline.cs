using CudaNet.Cuda;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cli.Bench;

/// <summary>
/// The CUDA rows of <c>cudanet bench</c> (issue "GPU performance"): GEMM 4096³ against cuBLAS SGEMM (TF32 off), the
/// opt-in TF32 GEMM 4096³ against cuBLAS with TF32 allowed and against our FP32 GEMM (GpuRoofline.Tf32.cs),
/// the MLP's GEMM shapes against cuBLAS plus a separate epilogue pass, memory-bound ops on 16M floats (64 MB per
/// operand) against a device-to-device copy of the same byte count, and one Adam step at 1M and 100M parameters timed
/// as PyTorch's (GpuRoofline.AdamStep.cs). Byte and FLOP counts are each kernel's napkin
/// math in kernels.cu; memory rows also give the share of the device's peak bandwidth.
/// </summary>
internal sealed partial class GpuRoofline(CudaBackend gpu, bool quick, RowFilter filter)
{
    /// <summary>Elements of every memory-bound operand: 16M floats, 64 MB, far beyond any L2.</summary>
    public const int Elements = 1 << 24;

    /// <summary>Features of the [N, F] normalisation rows (N = <see cref="Elements"/> / F).</summary>
    public const int Features = 1024;

    /// <summary>A memory-bound row: the kernels.cu section whose napkin math gives its bytes per element, and the
    /// issue's target ratio against a copy of the same bytes.</summary>
    public sealed record MemoryCase(string Op, string Section, int BytesPerElement, double Target);

    /// <summary>The memory-bound rows, bytes per element as the napkin-math line of each section states them.</summary>
    public static IReadOnlyList<MemoryCase> MemoryCases { get; } =
    [
        new("relu forward", "activation_forward", 8, 0.85),
        new("relu backward", "activation_backward", 16, 0.85),
        new("dropout forward p=0.2", "philox_mask_forward", 8, 0.85),
        new("dropout backward p=0.2", "philox_mask_forward", 8, 0.85),
        new("adam update", "adam_update", 28, 0.85),
        new("adamw update", "adam_update", 28, 0.85),
        new("rmsprop update", "rmsprop_update", 20, 0.85),
        new("sgd momentum update", "sgd_update", 20, 0.85),
        // A batch statistic needs its input twice (statistics, then the normalising pass) once [N, F] is larger than
        // the L2, as on the CPU (3 and 5 passes there).
        new("batchnorm forward (training)", "batchnorm_forward_training", 12, 0.80),
        new("batchnorm backward", "batchnorm_backward", 20, 0.80),
        new("layernorm forward", "group_norm_forward", 8, 0.80),
        new("layernorm backward", "group_norm_backward", 12, 0.80),
    ];

    /// <summary>The device's L2 size in bytes (0 when the driver does not report it).</summary>
    public long L2Bytes { get; } = gpu.Context.Attribute(DeviceAttribute.L2CacheSizeBytes);

    /// <summary>Peak DRAM bandwidth in bytes/s: 2 transfers per memory clock (DDR) × bus width; null when the driver
    /// does not report the clock or the width (CUDA 13 drivers may not).</summary>
    public double? PeakBandwidth { get; } = PeakFrom(gpu.Context.Attribute(DeviceAttribute.MemoryClockRateKHz),
        gpu.Context.Attribute(DeviceAttribute.GlobalMemoryBusWidthBits));

    /// <summary>What the reference column says for GEMM: the cuBLAS library, or why it is missing.</summary>
    public string CublasStatus { get; private set; } = "";

    internal static double? PeakFrom(int memoryClockKHz, int busWidthBits) =>
        memoryClockKHz > 0 && busWidthBits > 0 ? 2.0 * memoryClockKHz * 1e3 * busWidthBits / 8 : null;

    public List<BenchRow> Run(Action<BenchRow>? progress = null)
    {
        var rows = new List<BenchRow>();
        void Add(BenchRow row)
        {
            rows.Add(row);
            progress?.Invoke(row);
        }
        int repeats = quick ? 5 : 15;
        gpu.Synchronize();
        using var timing = new GpuTiming(gpu, L2Bytes);
        using var cublas = Cublas.TryLoad(gpu.StreamHandle, out string reason);
        CublasStatus = cublas is null ? reason : $"{cublas.Name} sgemm, FP32 (TF32 off)";

        // The full size is the issue's; --quick measures 2048³ instead.
        int size = quick ? 2048 : 4096;
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            if (filter.Includes(BenchRow.GemmOp(ta, tb, epilogue: false)))
                Add(Gemm(timing, cublas, size, size, size, ta, tb, epilogue: false, target: 0.80, repeats));
        foreach (var row in Tf32Gemm(timing, cublas, size, repeats)) Add(row);
        // The MLP's forward shapes (Y = X·Wᵀ + b, ReLU) and backward shapes (dX = dY·W, dW = dYᵀ·X), batch 128.
        foreach (var (m, n, k, ta, tb, epilogue) in new[]
                 {
                     (128, 512, 784, false, true, true), (128, 512, 512, false, true, true), (128, 10, 512, false, true, false),
                     (128, 784, 512, false, false, false), (512, 784, 128, true, false, false), (128, 512, 512, false, false, false),
                     (512, 512, 128, true, false, false),
                 })
            if (filter.Includes(BenchRow.GemmOp(ta, tb, epilogue)))
                Add(Gemm(timing, cublas, m, n, k, ta, tb, epilogue, 1.0, repeats));
        foreach (var row in MemoryBound(timing, repeats)) Add(row);
        foreach (var row in AdamSteps(timing)) Add(row);
        return rows;
    }

    private BenchRow Gemm(GpuTiming timing, Cublas? cublas, int m, int n, int k, bool ta, bool tb, bool epilogue,
        double target, int repeats)
    {
        using var a = gpu.FromArray(Random(1, m * k), ta ? k : m, ta ? m : k);
        using var b = gpu.FromArray(Random(2, k * n), tb ? n : k, tb ? k : n);
        using var bias = gpu.FromArray(Random(3, n), n);
        using var ours = gpu.Allocate<float>(m, n);
        using var theirs = gpu.Allocate<float>(m, n);
        var activation = epilogue ? Activation.ReLU : Activation.Identity;
        void Ours() => gpu.Gemm(ours, a, ta, b, tb, 1, 0, epilogue ? bias : null, activation);
        Action? reference = cublas is null ? null : () =>
        {
            cublas.Sgemm(ta, tb, m, n, k, 1, CudaBackend.DeviceAddress(a), CudaBackend.DeviceAddress(b), 0,
                CudaBackend.DeviceAddress(theirs));
            // The reference's separate epilogue pass: our ReLU kernel in place stands for cuBLAS + a bias/ReLU
            // kernel (the bias read adds N floats to the M·N read and written, which the pass already moves).
            if (epilogue) gpu.ActivationForward(theirs, theirs, Activation.ReLU);
        };
        var (oursSeconds, referenceSeconds) = timing.Paired(Ours, reference, repeats);
        string referenceName = cublas is null ? CublasStatus
            : epilogue ? "cuBLAS SGEMM + our ReLU pass in place (as a bias/ReLU pass)" : "cuBLAS SGEMM (TF32 off)";
        if (cublas is not null && !epilogue) referenceName += Agreement(ours, theirs, k);
        double flops = 2.0 * m * n * k;
        return new BenchRow(BenchRow.GemmOp(ta, tb, epilogue), $"{m}x{n}x{k}", "GFLOP/s", oursSeconds, flops / oursSeconds / 1e9, referenceName,
            cublas is null ? null : flops / referenceSeconds / 1e9, target, Kernel: KernelNames.Of(gpu.GemmKernel(ours, a, b)));
    }

    /// <summary>Checks the timed results agree, so that a wrong operand mapping cannot pass as a fast reference:
    /// empty when they do, else a note naming the largest difference.</summary>
    private string Agreement(Tensor<float> ours, Tensor<float> theirs, int k, double tolerancePerK = 1e-4)
    {
        var x = gpu.ToArray(ours);
        var y = gpu.ToArray(theirs);
        double worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
        // Inputs in [-1, 1]: FP32 sums of k products differ by a few ulps of √k-sized values at most.
        return worst <= tolerancePerK * k ? "" : $" — RESULTS DIFFER by up to {worst:G3}";
    }

    private IEnumerable<BenchRow> MemoryBound(GpuTiming timing, int repeats)
    {
        const int rows = Elements / Features;
        using var x = gpu.FromArray(Random(4, Elements));
        using var y = gpu.Allocate<float>(Elements);
        using var g = gpu.FromArray(Random(5, Elements));
        using var m = gpu.Allocate<float>(Elements);
        using var v = gpu.Allocate<float>(Elements);
        using var x2 = x.Reshape(rows, Features);
        using var y2 = y.Reshape(rows, Features);
        using var g2 = g.Reshape(rows, Features);
        using var gamma = gpu.FromArray(Enumerable.Repeat(1f, Features).ToArray());
        using var beta = gpu.Allocate<float>(Features);
        using var stats = gpu.Allocate<float>(4, Features);
        using var dGamma = gpu.Allocate<float>(Features);
        using var dBeta = gpu.Allocate<float>(Features);
        using var rowStats = gpu.Allocate<float>(2, rows);
        var (mean, invStd, runMean, runVar) = (stats.View(0, Features), stats.View(Features, Features),
            stats.View(2 * Features, Features), stats.View(3 * Features, Features));
        var (rowMean, rowInvStd) = (rowStats.View(0, rows), rowStats.View(rows, rows));
        long step = 0;
        var calls = new Dictionary<string, Action>
        {
            ["relu forward"] = () => gpu.ActivationForward(y, x, Activation.ReLU),
            ["relu backward"] = () => gpu.ActivationBackward(y, g, x, x, Activation.ReLU),
            ["dropout forward p=0.2"] = () => gpu.DropoutForward(y, x, 0.2, 42, 7),
            ["dropout backward p=0.2"] = () => gpu.DropoutBackward(y, g, 0.2, 42, 7),
            ["adam update"] = () => gpu.AdamUpdate(y, g, m, v, null, new AdamSettings(), new UpdateStep(1e-3, ++step)),
            ["adamw update"] = () => gpu.AdamUpdate(y, g, m, v, null, new AdamSettings(),
                new UpdateStep(1e-3, ++step, WeightDecay: 1e-2)),
            ["rmsprop update"] = () => gpu.RmsPropUpdate(y, g, v, null, null, new RmsPropSettings(), new UpdateStep(1e-2, ++step)),
            ["sgd momentum update"] = () => gpu.SgdUpdate(y, g, m, new SgdSettings(Momentum: 0.9), new UpdateStep(1e-2, ++step)),
            ["batchnorm forward (training)"] = () =>
                gpu.BatchNormForwardTraining(y2, mean, invStd, runMean, runVar, x2, gamma, beta, 0.1, 1e-5),
            ["batchnorm backward"] = () => gpu.BatchNormBackward(y2, dGamma, dBeta, g2, x2, gamma, mean, invStd),
            ["layernorm forward"] = () => gpu.LayerNormForward(y2, rowMean, rowInvStd, x2, gamma, beta, 1e-5),
            ["layernorm backward"] = () => gpu.LayerNormBackward(y2, dGamma, dBeta, g2, x2, gamma, rowMean, rowInvStd),
        };
        // The copy reads and writes each byte it copies: half the op's bytes copied move the op's bytes.
        long largestCopy = MemoryCases.Max(CopyBytes);
        using var copySource = gpu.Allocate<float>(checked((int)(largestCopy / sizeof(float))));
        using var copyTarget = gpu.Allocate<float>(checked((int)(largestCopy / sizeof(float))));
        foreach (var c in MemoryCases.Where(c => filter.Includes(c.Op)))
        {
            double bytes = (double)c.BytesPerElement * Elements;
            long copy = CopyBytes(c);
            var (ours, reference) = timing.Paired(calls[c.Op], () => timing.Copy(copyTarget, copySource, copy), repeats);
            double rate = bytes / ours / 1e9;
            string shape = c.Section.Contains("norm", StringComparison.Ordinal) ? $"{rows}x{Features}" : $"{Elements / (1 << 20)}M floats";
            yield return new BenchRow(c.Op, shape, "GB/s", ours, rate, $"cuMemcpyDtoDAsync of {copy >> 20} MiB (same bytes)",
                bytes / reference / 1e9, c.Target, PeakBandwidth is { } peak ? 100 * rate * 1e9 / peak : null);
        }
    }

    /// <summary>Bytes the reference copies for a row: half the op's napkin-math bytes (a copy reads and writes).</summary>
    internal static long CopyBytes(MemoryCase c) => (long)c.BytesPerElement * Elements / 2;

    internal static float[] Random(int seed, int n)
    {
        var random = new HostRandom((ulong)seed, 0xBE7C);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)random.Uniform(-1, 1);
        return data;
    }
}
