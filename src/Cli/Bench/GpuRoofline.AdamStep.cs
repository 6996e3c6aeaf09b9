namespace CudaNet.Cli.Bench;

internal sealed partial class GpuRoofline
{
    /// <summary>Parameter counts of the "adam step" rows: the 1M and 100M, as bench/pytorch/adam_step.py.</summary>
    public static IReadOnlyList<int> AdamStepSizes { get; } = [1_000_000, 100_000_000];

    /// <summary>
    /// One Adam step over a flat parameter range of 1M and 100M floats (our fused update, 28 bytes per element), timed
    /// exactly as bench/pytorch/adam_step.py times <c>torch.optim.Adam(fused=True)</c> — 10 warm-up steps, the median of
    /// 50 with CUDA events and no L2 flush — so tools/gpu-report.py can put the two side by side. PyTorch runs in its own
    /// process, hence no reference column here.
    /// </summary>
    private IEnumerable<BenchRow> AdamSteps(GpuTiming timing)
    {
        if (!filter.Includes("adam step")) yield break;
        foreach (int n in AdamStepSizes)
        {
            using var w = gpu.FromArray(Random(6, n));
            using var g = gpu.FromArray(Random(7, n));
            using var m = gpu.Allocate<float>(n);
            using var v = gpu.Allocate<float>(n);
            long step = 0;
            double seconds = timing.Unflushed(
                () => gpu.AdamUpdate(w, g, m, v, null, new AdamSettings(), new UpdateStep(1e-3, ++step)), warmup: 10, repeats: 50);
            yield return new BenchRow("adam step (cudanet)", $"{n} params", "GB/s", seconds, 28.0 * n / seconds / 1e9,
                "torch.optim.Adam(fused=True): bench/pytorch/adam_step.py, same timing, paired in tools/gpu-report.py", null, 1.0);
        }
    }
}
