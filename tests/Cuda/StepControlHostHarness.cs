using System.Globalization;
using System.Text;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>One begin_step run on the host harness: the block as StepControl uploaded it, and the (‖g‖², loss) of
/// each step.</summary>
internal sealed record BeginStepRun(int Groups, double[] Plan, double[] State, double[] Rates, double[] Powers,
    IReadOnlyList<(float SquaredNorm, float Loss)> Steps);

/// <summary>
/// begin_step of kernels.cu compiled for the host (tests/Cuda/StepControlHostHarness.cpp, double intrinsics mapped
/// onto IEEE C++ operations, -ffp-contract=off), so the device's coefficient code can be compared with the CPU's
/// BeginStep on a machine without a GPU.
/// </summary>
internal sealed class StepControlHostHarness : IDisposable
{
    private const string OptimizersStart = "// ==== Optimizers family: shared element math";
    private const string OptimizersEnd = "// ==== End of the Optimizers family";
    private const string StepControlStart = "// ==== Step control family: begin_step";
    private const string StepControlEnd = "// ==== End of the Step control family";

    private readonly string _folder, _executable;

    private StepControlHostHarness(string folder, string executable) => (_folder, _executable) = (folder, executable);

    /// <summary>Compiles the harness with the first C++ compiler on PATH; ignores the test when there is none.</summary>
    public static StepControlHostHarness Build(string repositoryRoot)
    {
        string compiler = HostCompiler.FindOrIgnore();
        string source = File.ReadAllText(Path.Combine(repositoryRoot, "kernels.cu"));
        string folder = Directory.CreateTempSubdirectory("cudanet-step-control-").FullName;
        File.WriteAllText(Path.Combine(folder, "step_control_family.inc"),
            Slice(source, OptimizersStart, OptimizersEnd) + Slice(source, StepControlStart, StepControlEnd));
        string executable = Path.Combine(folder, "harness");
        var (exitCode, output) = HostCompiler.Run(compiler, ["-std=c++17", "-O2", "-ffp-contract=off", "-fno-fast-math", "-Wall",
            "-Wno-unknown-pragmas", "-I", folder, "-o", executable,
            Path.Combine(repositoryRoot, "tests", "Cuda", "StepControlHostHarness.cpp")], input: "");
        if (exitCode != 0)
        {
            Directory.Delete(folder, recursive: true);
            Assert.Fail($"{compiler} could not build the host harness:\n{output}");
        }
        return new StepControlHostHarness(folder, executable);
    }

    /// <summary>Runs every case; per case and step, the state and the records after the step.</summary>
    public List<List<(double[] State, float[] Records)>> Execute(IReadOnlyList<BeginStepRun> runs)
    {
        var input = new StringBuilder();
        input.Append(runs.Count).Append('\n');
        foreach (var run in runs)
        {
            input.Append(CultureInfo.InvariantCulture, $"{run.Groups} {run.Rates.Length} {run.Steps.Count}\n");
            foreach (var values in new[] { run.Plan, run.State, run.Rates, run.Powers })
            {
                foreach (double value in values)
                    input.Append(BitConverter.DoubleToUInt64Bits(value).ToString("x16", CultureInfo.InvariantCulture)).Append(' ');
                input.Append('\n');
            }
            foreach (var (norm, loss) in run.Steps)
                input.Append(CultureInfo.InvariantCulture, $"{BitConverter.SingleToUInt32Bits(norm):x8} {BitConverter.SingleToUInt32Bits(loss):x8}\n");
        }
        var (exitCode, output) = HostCompiler.Run(_executable, [], input.ToString());
        Assert.That(exitCode, Is.Zero, $"the host harness failed:\n{output}");
        var lines = output.Split('\n');
        int line = 0;
        var results = new List<List<(double[], float[])>>();
        foreach (var run in runs)
        {
            var steps = new List<(double[], float[])>();
            for (int step = 0; step < run.Steps.Count; step++)
            {
                var state = Words(lines[line++]).Select(w => BitConverter.UInt64BitsToDouble(ulong.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
                var records = Words(lines[line++]).Select(w => BitConverter.UInt32BitsToSingle(uint.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
                steps.Add((state, records));
            }
            results.Add(steps);
        }
        return results;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Slice(string source, string start, string end)
    {
        int from = source.IndexOf(start, StringComparison.Ordinal), to = source.IndexOf(end, StringComparison.Ordinal);
        Assert.That(from >= 0 && to > from, Is.True, $"kernels.cu has no section between '{start}' and '{end}'");
        return source[from..to];
    }
}
