using System.Diagnostics;

namespace CudaNet.Tests.CommandLine;

/// <summary>Runs the real <c>cudanet</c> tool (built next to the tests) as a child process, as a user would.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cudanet.dll"));
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cudanet {string.Join(" ", args)} did not finish in 3 minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The bundled Fashion-MNIST sample.</summary>
    public static string Sample => Path.Combine(Data.IdxTests.RepoRoot(), "data", "fashion-mnist-sample");
}
