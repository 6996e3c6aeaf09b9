using System.Globalization;
using System.Text;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>One run of an optimizer kernel on the host harness: the kernel's arrays before the first step, and the
/// arguments and gradients of each step. <see cref="States"/> has one entry per state slot of the kernel, null where
/// the launcher passes a null pointer.</summary>
internal sealed record HostKernelRun(
    Kernel Kernel, int Offset, float[] Parameters, float[]?[] States, IReadOnlyList<(float[] Gradient, float[] Floats, int[] Ints)> Steps);

/// <summary>
/// The Optimizers family of kernels.cu compiled for the host (tests/Cuda/OptimizerHostHarness.cpp, with the CUDA
/// rounding intrinsics mapped onto IEEE C++ operations and -ffp-contract=off), so the element math of the GPU
/// kernels can be compared with the CPU backend on a machine without a GPU.
/// </summary>
internal sealed class OptimizerHostHarness : IDisposable
{
    /// <summary>The emulated launch: a few small blocks, so the grid-stride loops take several turns.</summary>
    private const int Grid = 3, Block = 8;

    private const string FamilyStart = "// ==== Optimizers family: shared element math";
    private const string FamilyEnd = "// ==== End of the Optimizers family";

    private readonly string _folder;
    private readonly string _executable;

    private OptimizerHostHarness(string folder, string executable)
    {
        _folder = folder;
        _executable = executable;
    }

    /// <summary>Compiles the harness with the first C++ compiler on PATH (clang++-19, clang++, g++); calls
    /// <see cref="Assert.Ignore(string)"/> when there is none.</summary>
    public static OptimizerHostHarness Build(string repositoryRoot)
    {
        string compiler = HostCompiler.FindOrIgnore();
        string source = File.ReadAllText(Path.Combine(repositoryRoot, "kernels.cu"));
        int start = source.IndexOf(FamilyStart, StringComparison.Ordinal);
        int end = source.IndexOf(FamilyEnd, StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start, Is.True, "kernels.cu has no Optimizers family between its banners");
        string folder = Directory.CreateTempSubdirectory("cudanet-optimizers-").FullName;
        File.WriteAllText(Path.Combine(folder, "optimizers_family.inc"), source[start..end]);
        string executable = Path.Combine(folder, "harness");
        var (exitCode, output) = HostCompiler.Run(compiler, ["-std=c++17", "-O2", "-ffp-contract=off", "-fno-fast-math", "-Wall",
            "-Wno-unknown-pragmas", "-I", folder, "-o", executable,
            Path.Combine(repositoryRoot, "tests", "Cuda", "OptimizerHostHarness.cpp")], input: "");
        if (exitCode != 0)
        {
            Directory.Delete(folder, recursive: true);
            Assert.Fail($"{compiler} could not build the host harness:\n{output}");
        }
        return new OptimizerHostHarness(folder, executable);
    }

    /// <summary>Runs every <paramref name="runs"/> and returns, per run and step, the parameters followed by each
    /// present state.</summary>
    public List<List<float[][]>> Execute(IReadOnlyList<HostKernelRun> runs)
    {
        var input = new StringBuilder();
        input.Append(runs.Count).Append('\n');
        foreach (var run in runs)
        {
            int n = run.Parameters.Length;
            input.Append(CultureInfo.InvariantCulture, $"{KernelNames.Of(run.Kernel)} {n} {run.Offset} {Grid} {Block} ")
                .Append(CultureInfo.InvariantCulture, $"{run.Steps.Count} {run.States.Length}");
            foreach (var state in run.States) input.Append(state is null ? " 0" : " 1");
            input.Append('\n');
            AppendFloats(input, run.Parameters);
            foreach (var state in run.States.OfType<float[]>()) AppendFloats(input, state);
            foreach (var (gradient, floats, ints) in run.Steps)
            {
                AppendFloats(input, gradient);
                input.Append(floats.Length).Append(' ');
                AppendFloats(input, floats);
                input.Append(ints.Length);
                foreach (int value in ints) input.Append(' ').Append(value);
                input.Append('\n');
            }
        }
        var (exitCode, output) = HostCompiler.Run(_executable, [], input.ToString());
        Assert.That(exitCode, Is.Zero, $"the host harness failed:\n{output}");
        var lines = output.Split('\n');
        int line = 0;
        var results = new List<List<float[][]>>();
        foreach (var run in runs)
        {
            int arrays = 1 + run.States.Count(state => state is not null);
            var steps = new List<float[][]>();
            for (int step = 0; step < run.Steps.Count; step++)
                steps.Add(Enumerable.Range(0, arrays).Select(_ => ParseFloats(lines[line++], run.Parameters.Length)).ToArray());
            results.Add(steps);
        }
        return results;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void AppendFloats(StringBuilder input, float[] values)
    {
        foreach (float value in values)
            input.Append(BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture)).Append(' ');
        input.Append('\n');
    }

    private static float[] ParseFloats(string line, int n)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(words, Has.Length.EqualTo(n), "harness output line");
        return words.Select(word => BitConverter.UInt32BitsToSingle(uint.Parse(word, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
    }
}
