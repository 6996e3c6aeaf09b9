using System.CommandLine;
using System.Text.Json;
using CudaNet.Cpu.Verification;

namespace CudaNet.Cli;

/// <summary><c>cudanet verify</c>: conformance of a backend against the CPU reference, op by op.</summary>
internal static class VerifyCommand
{
    /// <summary>Exit code when the requested backend cannot run on this machine or build.</summary>
    public const int Unavailable = 2;

    public static Command Create()
    {
        var device = new Option<string>("--device")
        {
            Description = "The backend to verify: " + string.Join(", ", DeviceSelection.Names) + ".",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong([.. DeviceSelection.Names]);
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of a table." };
        var quick = new Option<bool>("--quick") { Description = "Fewer sizes (0, 1, a few odd ones, one moderately large case)." };
        var full = new Option<bool>("--full") { Description = "Every length 0..257 and larger cases (1000³ GEMM in every transpose combination)." };
        var command = new Command("verify",
            "Run every op of a backend and of the plain-loop CPU reference on identical inputs (sizes 0, 1, odd, primes, " +
            "one large case per family) and compare: elementwise rtol 1.3e-6 atol 1e-5, reductions/GEMM/norms/losses " +
            "rtol = atol = 1e-3, random masks and noise bit-exact. Exit code 1 when any row fails, 2 when the backend " +
            "is not available.");
        command.Options.Add(device);
        command.Options.Add(json);
        command.Options.Add(quick);
        command.Options.Add(full);
        command.Validators.Add(result =>
        {
            if (result.GetValue(quick) && result.GetValue(full)) result.AddError("--quick and --full cannot be combined.");
        });
        command.SetAction(parse =>
        {
            string name = parse.GetValue(device)!;
            var size = parse.GetValue(quick) ? VerifySize.Quick : parse.GetValue(full) ? VerifySize.Full : VerifySize.Standard;
            IBackend<float> backend;
            try
            {
                backend = DeviceSelection.Select(name).Backend;
            }
            catch (CliException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"cudanet verify: error: {e.Message}");
                return Unavailable;
            }
            using (backend)
            {
                var started = DateTime.UtcNow;
                var rows = BackendVerifier.Run(backend, new VerifyOptions { Size = size });
                var elapsed = DateTime.UtcNow - started;
                var output = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json)) PrintJson(output, backend.Name, size, rows, elapsed);
                else PrintTable(output, backend.Name, rows, elapsed);
                return rows.All(r => r.Passed) ? 0 : 1;
            }
        });
        return command;
    }

    private static void PrintTable(TextWriter output, string backend, IReadOnlyList<VerificationRow> rows, TimeSpan elapsed)
    {
        output.WriteLine($"{"op",-28} {"case",-58} {"output",-14} {"max |err|",10} {"max rel",10}  {"tolerance",-26} result");
        foreach (var r in rows)
        {
            output.WriteLine($"{r.Op,-28} {r.Case,-58} {r.Output,-14} {r.MaxAbsError,10:E2} {r.MaxRelError,10:E2}  {r.Tolerance,-26} " +
                             (r.Passed ? "ok" : "FAILED: " + r.Failure));
        }
        int failed = rows.Count(r => !r.Passed);
        int ops = rows.Select(r => r.Op).Distinct().Count();
        output.WriteLine(failed == 0
            ? $"{backend}: all {rows.Count} checks of {ops} ops passed against cpu-reference in {elapsed.TotalSeconds:F1} s."
            : $"{backend}: {failed} of {rows.Count} checks FAILED against cpu-reference " +
              $"(ops: {string.Join(", ", rows.Where(r => !r.Passed).Select(r => r.Op).Distinct())}).");
    }

    private static void PrintJson(TextWriter output, string backend, VerifySize size, IReadOnlyList<VerificationRow> rows, TimeSpan elapsed)
    {
        // JSON has no ∞: an error that is infinite (a NaN mismatch, an exception) is written as null.
        static double? Finite(double value) => double.IsFinite(value) ? value : null;
        var document = new
        {
            backend,
            reference = "cpu-reference",
            size = size.ToString().ToLowerInvariant(),
            passed = rows.All(r => r.Passed),
            total = rows.Count,
            failed = rows.Count(r => !r.Passed),
            seconds = Math.Round(elapsed.TotalSeconds, 3),
            checks = rows.Select(r => new
            {
                op = r.Op, @case = r.Case, output = r.Output, kind = r.Tolerance.Kind.ToString(),
                rtol = r.Tolerance.Kind == VerificationKind.Tolerance ? r.Tolerance.Rtol : (double?)null,
                atol = r.Tolerance.Kind == VerificationKind.Tolerance ? r.Tolerance.Atol : (double?)null,
                max_abs_error = Finite(r.MaxAbsError), max_rel_error = Finite(r.MaxRelError), elements = r.Elements,
                passed = r.Passed, failure = r.Failure,
            }),
        };
        output.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
