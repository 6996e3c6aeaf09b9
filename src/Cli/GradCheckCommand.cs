using System.CommandLine;
using System.Text.Json;
using CudaNet.Cpu;

namespace CudaNet.Cli;

/// <summary><c>cudanet gradcheck</c>: float64 central-difference checks of every differentiable op and every
/// built-in layer.</summary>
internal static class GradCheckCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of a table." };
        var command = new Command("gradcheck",
            "Float64 gradient checks of every differentiable op and every built-in layer on the CPU reference and SIMD backends " +
            "(central differences, eps 1e-6, atol 1e-5, rtol 1e-3). Exit code 1 when any check fails.");
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var rows = new List<(string Backend, OpGradientCheckRow Row)>();
            foreach (var kernels in new[] { CpuKernels.Reference, CpuKernels.Simd })
            {
                using var backend = new CpuBackend<double>(kernels);
                rows.AddRange(OpGradientChecks.Run(backend).Select(r => (backend.Name, r)));
                rows.AddRange(LayerGradientChecks.Run(backend).Select(r => (backend.Name, r)));
            }
            bool passed = rows.All(r => r.Row.Result.Passed);
            if (parse.GetValue(json)) PrintJson(rows, passed);
            else PrintTable(rows, passed);
            return passed ? 0 : 1;
        });
        return command;
    }

    private static void PrintTable(List<(string Backend, OpGradientCheckRow Row)> rows, bool passed)
    {
        Console.WriteLine($"{"backend",-14} {"op",-42} {"input",-8} {"max |diff|",11} {"allowed",10}  result");
        foreach (var (backend, row) in rows)
        {
            var r = row.Result;
            Console.WriteLine($"{backend,-14} {row.Op,-42} {row.Input,-8} {r.AbsoluteError,11:E2} {r.Allowed,10:E2}  {(r.Passed ? "ok" : "FAILED")}");
        }
        int failed = rows.Count(r => !r.Row.Result.Passed);
        Console.WriteLine(passed ? $"All {rows.Count} gradient checks passed." : $"{failed} of {rows.Count} gradient checks FAILED.");
    }

    private static void PrintJson(List<(string Backend, OpGradientCheckRow Row)> rows, bool passed)
    {
        var document = new
        {
            passed,
            checks = rows.Select(r => new
            {
                backend = r.Backend, op = r.Row.Op, input = r.Row.Input, passed = r.Row.Result.Passed,
                worst_index = r.Row.Result.WorstIndex, analytic = r.Row.Result.Analytic, numeric = r.Row.Result.Numeric,
                abs_error = r.Row.Result.AbsoluteError, allowed = r.Row.Result.Allowed, elements = r.Row.Result.Elements,
            }),
        };
        Console.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
