namespace CudaNet.Cli.Bench;

/// <summary>One measured row: our figure and the reference's, from the same run on the same machine.</summary>
/// <param name="Op">Operation.</param>
/// <param name="Shape">Sizes.</param>
/// <param name="Unit">GFLOP/s or GB/s.</param>
/// <param name="Seconds">Our median time per call.</param>
/// <param name="Rate">Our figure in <paramref name="Unit"/>.</param>
/// <param name="Reference">What we compare with.</param>
/// <param name="ReferenceRate">Its figure (null when unavailable).</param>
/// <param name="Target">The ratio the issue asks for (null: informational).</param>
/// <param name="PeakPercent">Our figure as a percentage of the device's peak (null where the peak is not known).</param>
/// <param name="Kernel">The entry point that ran, where an op has several (the GPU GEMM configurations); else null.</param>
internal sealed record BenchRow(string Op, string Shape, string Unit, double Seconds, double Rate, string Reference,
    double? ReferenceRate, double? Target, double? PeakPercent = null, string? Kernel = null)
{
    /// <summary>Rate / reference rate.</summary>
    public double? Ratio => ReferenceRate is > 0 ? Rate / ReferenceRate : null;

    /// <summary>"met", "missed" or "" without a target or reference.</summary>
    public string Verdict => Target is null || Ratio is null ? "" : Ratio >= Target ? "met" : "missed";

    /// <summary>The op name of a GEMM row: "sgemm NT +bias+ReLU".</summary>
    public static string GemmOp(bool transposeA, bool transposeB, bool epilogue) =>
        $"sgemm {(transposeA ? "T" : "N")}{(transposeB ? "T" : "N")}{(epilogue ? " +bias+ReLU" : "")}";
}

/// <summary><c>cudanet bench --filter</c>: the rows to measure, by a case-insensitive part of their op name (null: all).</summary>
internal sealed record RowFilter(string? Text)
{
    public bool Includes(string op) => string.IsNullOrEmpty(Text) || op.Contains(Text, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Wall time of our call and of the reference's, measured interleaved (ours, reference, ours, …) after a warm-up
/// long enough for the tiered JIT to settle, so that load changes on a shared machine hit both alike; each figure
/// is the median over the pairs, each sample repeated long enough that timer resolution does not matter.
/// </summary>
internal static class Timing
{
    public static (double Ours, double Reference) Paired(Action ours, Action? reference, int pairs = 9,
        double minSeconds = 0.05, double warmupSeconds = 0.5)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            ours();
            reference?.Invoke();
        } while (clock.Elapsed.TotalSeconds < warmupSeconds);
        int innerOurs = Repeats(ours, minSeconds), innerReference = reference is null ? 0 : Repeats(reference, minSeconds);
        var oursSamples = new double[pairs];
        var referenceSamples = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            oursSamples[p] = Time(ours, innerOurs);
            if (reference is not null) referenceSamples[p] = Time(reference, innerReference);
        }
        Array.Sort(oursSamples);
        Array.Sort(referenceSamples);
        return (oursSamples[pairs / 2], reference is null ? double.NaN : referenceSamples[pairs / 2]);
    }

    private static int Repeats(Action call, double minSeconds) =>
        Math.Max(1, (int)Math.Ceiling(minSeconds / Math.Max(Time(call, 1), 1e-9)));

    private static double Time(Action call, int repeats)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++) call();
        return clock.Elapsed.TotalSeconds / repeats;
    }
}
