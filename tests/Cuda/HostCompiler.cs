using System.Diagnostics;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>What every host harness needs (a test that compiles sections of kernels.cu as host C++ and runs them): the
/// C++ compiler, and a child process run to completion.</summary>
internal static class HostCompiler
{
    /// <summary>The first of clang++-19, clang++ and g++ on PATH; calls <see cref="Assert.Ignore(string)"/> when there is
    /// none, so the harness tests are skipped rather than failed on such a machine.</summary>
    public static string FindOrIgnore()
    {
        string? compiler = new[] { "clang++-19", "clang++", "g++" }.Select(FindOnPath).FirstOrDefault(path => path is not null);
        if (compiler is null) Assert.Ignore("No C++ compiler (clang++-19, clang++, g++) on PATH to build the host harness.");
        return compiler!;
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="input"/> on its standard input and returns its exit
    /// code and its standard output followed by its standard error; fails the test after 2 minutes.</summary>
    public static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments, string input = "")
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);
}
