using System.Diagnostics;
using System.Text;
using NUnit.Framework;

namespace CudaNet.Tests.Kernels;

/// <summary>
/// The committed PTX is what ships (DESIGN.md §5), so it must be what kernels.cu compiles to today: with clang-19
/// on PATH this regenerates both modules into a temporary folder and compares them byte for byte.
/// </summary>
[TestFixture]
public sealed class PtxFreshnessTests
{
    [Test]
    public void CommittedPtxMatchesKernelsCu()
    {
        if (FindOnPath("clang-19") is null)
            Assert.Ignore("clang-19 is not on PATH, so the committed PTX cannot be regenerated and compared.");
        string bash = FindOnPath("bash")
            ?? throw new InconclusiveException("bash is not on PATH, so tools/generate-ptx.sh cannot run.");
        string root = RepositoryRoot();
        string output = Directory.CreateTempSubdirectory("cudanet-ptx-").FullName;
        try
        {
            Generate(bash, root, output);
            using (Assert.EnterMultipleScope())
            {
                foreach (string arch in new[] { "sm_75", "sm_80" })
                {
                    string name = $"kernels.{arch}.ptx";
                    string committed = Path.Combine(root, "src", "Kernels", name);
                    string? difference = File.Exists(committed)
                        ? FirstDifference(File.ReadAllBytes(committed), File.ReadAllBytes(Path.Combine(output, name)))
                        : "the file is missing";
                    if (difference is not null)
                        Assert.Fail($"src/Kernels/{name} is stale: run tools/generate-ptx.sh ({difference})");
                }
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static void Generate(string bash, string root, string output)
    {
        var start = new ProcessStartInfo(bash)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine("tools", "generate-ptx.sh"));
        start.ArgumentList.Add(output);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {bash}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("tools/generate-ptx.sh did not finish within 2 minutes");
        }
        Assert.That(process.ExitCode, Is.Zero, $"tools/generate-ptx.sh failed:\n{stdout.Result}{stderr}");
    }

    /// <summary>The first line where two files differ, for the failure message; null when they are identical.</summary>
    private static string? FirstDifference(byte[] committed, byte[] generated)
    {
        if (committed.AsSpan().SequenceEqual(generated)) return null;
        string[] old = Encoding.UTF8.GetString(committed).Split('\n');
        string[] fresh = Encoding.UTF8.GetString(generated).Split('\n');
        int line = 0;
        while (line < old.Length && line < fresh.Length && old[line] == fresh[line]) line++;
        string At(string[] lines) => line < lines.Length ? lines[line].Trim() : "<end of file>";
        return $"first difference at line {line + 1}: committed '{At(old)}', generated '{At(fresh)}'";
    }

    private static string? FindOnPath(string program)
    {
        string[] names = OperatingSystem.IsWindows() ? [program + ".exe", program] : [program];
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories.SelectMany(directory => names.Select(name => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The folder holding CudaNet.sln, above the test assembly (tests/bin/…).</summary>
    private static string RepositoryRoot()
    {
        string start = TestContext.CurrentContext.TestDirectory;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CudaNet.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"no CudaNet.sln above {start}");
    }
}
