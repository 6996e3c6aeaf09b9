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
internal sealed record BenchRow(string Op, string Shape, string Unit, double Seconds, double Rate, string Reference,
    double? ReferenceRate, double? Target)
{
    /// <summary>Rate / reference rate.</summary>
    public double? Ratio => ReferenceRate is > 0 ? Rate / ReferenceRate : null;

    /// <summary>"met", "missed" or "" without a target or reference.</summary>
    public string Verdict => Target is null || Ratio is null ? "" : Ratio >= Target ? "met" : "missed";
}

/// <summary>Median wall time of repeated calls after warm-up.</summary>
internal static class Timing
{
    public static double Median(Action call, int repeats = 7, double minSeconds = 0.05)
    {
        call();
        // Repeat each measurement often enough to last minSeconds, so timer resolution does not matter.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        call();
        int inner = Math.Max(1, (int)Math.Ceiling(minSeconds / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            clock.Restart();
            for (int i = 0; i < inner; i++) call();
            samples[r] = clock.Elapsed.TotalSeconds / inner;
        }
        Array.Sort(samples);
        return samples[repeats / 2];
    }
}
