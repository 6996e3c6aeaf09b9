using System.CommandLine;
using System.Text.Json;

namespace CudaNet.Cli.Bench;

/// <summary><c>cudanet bench</c>: the roofline table — each row our figure, the reference's from the same run, the
/// ratio and the issue's target.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu, or cuda / cuda:N (a GPU: our kernels against cuBLAS and device copies).", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of the table." };
        var quick = new Option<bool>("--quick") { Description = "Skip the largest shapes." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for CudaNet and OpenBLAS (default: all cores)." };
        var filter = new Option<string?>("--filter") { Description = "Only the rows whose op contains this text (case-insensitive), e.g. batchnorm." };
        var command = new Command("bench", "Benchmark the kernels against references measured in the same run.");
        command.Options.Add(device);
        command.Options.Add(json);
        command.Options.Add(quick);
        command.Options.Add(threads);
        command.Options.Add(filter);
        command.SetAction(parse => CliErrors.Run("bench", () =>
        {
            string name = parse.GetValue(device) ?? "cpu";
            bool asJson = parse.GetValue(json), isQuick = parse.GetValue(quick);
            var rowFilter = new RowFilter(parse.GetValue(filter));
            if (name.Trim().StartsWith("cuda", StringComparison.OrdinalIgnoreCase)) return RunCuda(name, asJson, isQuick, rowFilter);
            if (name != "cpu") throw new CliException($"--device {name}: expected cpu or cuda");
            int t = parse.GetValue(threads) ?? Environment.ProcessorCount;
            if (t < 1) throw new CliException($"--threads must be >= 1, not {t}");
            if (!asJson)
            {
                Console.WriteLine($"CPU: {CpuName()}, {t} thread(s), Vector<float> {System.Numerics.Vector<float>.Count} lanes");
                Console.WriteLine(Header());
            }
            var rows = new CpuRoofline(t, isQuick, rowFilter).Run(asJson ? null : Print);
            if (asJson)
            {
                var document = new
                {
                    device = "cpu", cpu = CpuName(), threads = t, date = DateTime.UtcNow.ToString("yyyy-MM-dd"),
                    rows = rows.Select(r => new
                    {
                        op = r.Op, shape = r.Shape, unit = r.Unit, seconds = r.Seconds, rate = r.Rate, reference = r.Reference,
                        reference_rate = r.ReferenceRate, ratio = r.Ratio, target = r.Target, verdict = r.Verdict,
                    }),
                };
                Console.WriteLine(JsonSerializer.Serialize(document, Indented));
            }
            return 0;
        }));
        return command;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string Header(bool withPeak = false) =>
        $"{"op",-30} {"shape",-14} {"ours",10} {"reference",10} {"ratio",7} {"target",7}" + (withPeak ? $" {"% peak",7}" : "") +
        $"  {"",6} reference";

    /// <summary>The CUDA rows (GpuRoofline); without a usable GPU, DeviceSelection's one-line error (exit 2).</summary>
    private static int RunCuda(string name, bool asJson, bool quick, RowFilter filter)
    {
        using var backend = DeviceSelection.Select(name).Backend;
        var gpu = (CudaNet.Cuda.CudaBackend)backend;
        var context = gpu.Context;
        var roofline = new GpuRoofline(gpu, quick, filter);
        string peak = roofline.PeakBandwidth is { } bandwidth ? $"{bandwidth / 1e9:F0} GB/s" : "unknown";
        if (!asJson)
        {
            Console.WriteLine($"GPU: {context}, PTX {gpu.Architecture}, L2 {roofline.L2Bytes >> 20} MiB, peak DRAM {peak}");
            Console.WriteLine("% of peak: memory rows against the peak DRAM bandwidth; none for GEMM (the driver does not report the FP32 peak)");
            Console.WriteLine(Header(withPeak: true));
        }
        var rows = roofline.Run(asJson ? null : r => Console.WriteLine(Format(r, withPeak: true)));
        if (asJson)
        {
            var document = new
            {
                device = "cuda", gpu = context.Name, driver = context.DriverVersionText,
                compute_capability = context.ComputeCapability.ToString(), ptx = gpu.Architecture, ptx_fallback = gpu.ArchitectureFallback,
                l2_bytes = roofline.L2Bytes, peak_bandwidth = roofline.PeakBandwidth, cublas = roofline.CublasStatus,
                date = DateTime.UtcNow.ToString("yyyy-MM-dd"),
                rows = rows.Select(r => new
                {
                    op = r.Op, shape = r.Shape, unit = r.Unit, seconds = r.Seconds, rate = r.Rate, reference = r.Reference,
                    reference_rate = r.ReferenceRate, ratio = r.Ratio, target = r.Target, verdict = r.Verdict,
                    peak_percent = r.PeakPercent, kernel = r.Kernel,
                }),
            };
            Console.WriteLine(JsonSerializer.Serialize(document, Indented));
        }
        return 0;
    }

    private static void Print(BenchRow r) => Console.WriteLine(Format(r));

    private static string Format(BenchRow r, bool withPeak = false) =>
        $"{r.Op,-30} {r.Shape,-14} {r.Rate,10:F1} {r.ReferenceRate,10:F1} {r.Ratio,7:F2} {r.Target,7:F2}" +
        (withPeak ? $" {r.PeakPercent,7:F1}" : "") + $"  {r.Verdict,-6} {r.Unit}; {r.Reference}" +
        (r.Kernel is null ? "" : $"; ran {r.Kernel}");

    internal static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
