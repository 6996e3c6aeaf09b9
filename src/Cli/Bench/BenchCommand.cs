using System.CommandLine;
using System.Text.Json;

namespace CudaNet.Cli.Bench;

/// <summary><c>cudanet bench</c>: the roofline table — each row our figure, the reference's from the same run, the
/// ratio and the issue's target.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu (cuda comes with the CUDA backend).", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of the table." };
        var quick = new Option<bool>("--quick") { Description = "Skip the largest shapes." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for CudaNet and OpenBLAS (default: all cores)." };
        var command = new Command("bench", "Benchmark the kernels against references measured in the same run.");
        command.Options.Add(device);
        command.Options.Add(json);
        command.Options.Add(quick);
        command.Options.Add(threads);
        command.SetAction(parse => CliErrors.Run("bench", () =>
        {
            if (parse.GetValue(device) != "cpu")
                throw new CliException($"--device {parse.GetValue(device)}: only cpu is available in this build");
            int t = parse.GetValue(threads) ?? Environment.ProcessorCount;
            if (t < 1) throw new CliException($"--threads must be >= 1, not {t}");
            bool asJson = parse.GetValue(json);
            if (!asJson)
            {
                Console.WriteLine($"CPU: {CpuName()}, {t} thread(s), Vector<float> {System.Numerics.Vector<float>.Count} lanes");
                Console.WriteLine($"{"op",-30} {"shape",-14} {"ours",10} {"reference",10} {"ratio",7} {"target",7}  {"",6} reference");
            }
            var rows = new CpuRoofline(t, parse.GetValue(quick)).Run(asJson ? null : Print);
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
                Console.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
            }
            return 0;
        }));
        return command;
    }

    private static void Print(BenchRow r) =>
        Console.WriteLine($"{r.Op,-30} {r.Shape,-14} {r.Rate,10:F1} {r.ReferenceRate,10:F1} {r.Ratio,7:F2} {r.Target,7:F2}  {r.Verdict,-6} {r.Unit}; {r.Reference}");

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
