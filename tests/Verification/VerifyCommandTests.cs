using System.CommandLine;
using System.Text.Json;
using CudaNet.Cli;
using NUnit.Framework;

namespace CudaNet.Tests.Verification;

/// <summary><c>cudanet verify</c> invoked in-process: exit codes, table, JSON.</summary>
public sealed class VerifyCommandTests
{
    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(VerifyCommand.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Test]
    public void CpuPassesWithATableAndASummaryLine()
    {
        var (exitCode, output, error) = Invoke("verify", "--device", "cpu", "--quick");
        Assert.That(exitCode, Is.EqualTo(0), error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("op").And.Contain("tolerance"));
        Assert.That(lines.Count(l => l.StartsWith("Gemm ", StringComparison.Ordinal)), Is.GreaterThan(20));
        Assert.That(lines[^1], Does.Match(@"^cpu: all \d+ checks of 42 ops passed against cpu-reference"));
    }

    [Test]
    public void JsonOutputParsesAndAgreesWithTheExitCode()
    {
        var (exitCode, output, _) = Invoke("verify", "--device", "cpu-reference", "--quick", "--json");
        Assert.That(exitCode, Is.EqualTo(0));
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        Assert.That(root.GetProperty("passed").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("backend").GetString(), Is.EqualTo("cpu-reference"));
        Assert.That(root.GetProperty("size").GetString(), Is.EqualTo("quick"));
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.That(checks, Has.Count.EqualTo(root.GetProperty("total").GetInt32()));
        var dropout = checks.First(c => c.GetProperty("op").GetString() == "DropoutForward");
        Assert.That(dropout.GetProperty("kind").GetString(), Is.EqualTo("BitExact"));
        var gemm = checks.First(c => c.GetProperty("op").GetString() == "Gemm");
        Assert.That(gemm.GetProperty("rtol").GetDouble(), Is.EqualTo(1e-3));
    }

    [Test]
    public void CudaWithoutAUsableGpuIsAOneLineErrorWithTheReason()
    {
        if (CudaNet.Cuda.CudaBackend.TryCreate(out var gpu, out string reason))
        {
            gpu!.Dispose();
            Assert.Ignore("a usable GPU is present");
        }
        var (exitCode, output, error) = Invoke("verify", "--device", "cuda");
        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(error.Trim(), Does.StartWith("cudanet verify: error: --device cuda:").And.Contain(reason));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(output, Is.Empty);
    }

    [TestCase("verify", "--device", "tpu")]
    [TestCase("verify", "--quick", "--full")]
    public void UserErrorsExitNonZero(params string[] args)
    {
        var (exitCode, _, error) = Invoke(args);
        Assert.That(exitCode, Is.Not.EqualTo(0));
        Assert.That(error, Is.Not.Empty);
    }
}
