using System.Diagnostics;
using CudaNet.Cpu;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// DESIGN.md §9: a crash mid-save leaves the previous checkpoint intact. A child process
/// (<c>tests/CrashChild</c>) saves in a loop, save k holding parameters all equal to k, and is killed after a seeded
/// random delay. After every kill the file loads, holds one complete save (all parameters equal, k at least the
/// last save the child reported done), and the temporary files a kill leaves are removed by the next save.
/// </summary>
[NonParallelizable]
public sealed class CrashDuringSaveTests
{
    private const int Trials = 100, SessionTrials = 20;
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-crash").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string ChildPath()
    {
        // The child is built with the tests (a ProjectReference without the assembly) in the same configuration.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string root = output.Parent!.Parent!.Parent!.Parent!.FullName;
        string child = Path.Combine(root, "tests", "CrashChild", "bin", output.Parent.Name, output.Name, "CudaNet.CrashChild.dll");
        if (!File.Exists(child)) Assert.Fail($"{child} is missing: build tests/Tests.csproj, which builds the child.");
        return child;
    }

    /// <summary>Runs the child until it has reported <paramref name="minimumSaves"/> saves, waits
    /// <paramref name="delay"/>, kills it and returns the last save it reported done.</summary>
    private static int RunAndKill(string mode, string folder, TimeSpan delay)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { ChildPath(), mode, folder }) start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        int lastDone = 0;
        var firstSave = new TaskCompletionSource();
        child.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && text.StartsWith("saved ", StringComparison.Ordinal))
            {
                Volatile.Write(ref lastDone, int.Parse(text[6..]));
                firstSave.TrySetResult();
            }
        };
        child.BeginOutputReadLine();
        if (!firstSave.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"the child made no save in 20 s: {child.StandardError.ReadToEnd()}");
        }
        Thread.Sleep(delay);
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        return Volatile.Read(ref lastDone);
    }

    private static string[] TempFiles(string folder) =>
        Directory.GetFiles(folder, AtomicFile.TempPrefix + "*").Select(Path.GetFileName).ToArray()!;

    [Test]
    public void AKilledNetworkSaveAlwaysLeavesACompleteModelFileAndItsTempFileIsCleanedNextTime()
    {
        var random = new Random(7);
        using var cpu = new CpuBackend<float>();
        string path = Path.Combine(_folder, CheckpointFiles.Model);
        int staleSeen = 0;
        string[] staleBefore = [];
        var clock = Stopwatch.StartNew();
        for (int trial = 0; trial < Trials; trial++)
        {
            int lastDone = RunAndKill("network", _folder, TimeSpan.FromMilliseconds(random.Next(0, 30)));
            using var network = Network<float>.Load(path, cpu);
            float[] values = cpu.ToArray(network.Parameters);
            Assert.That(values, Is.All.EqualTo(values[0]), $"trial {trial}: one complete save, not a mix");
            Assert.That(values[0], Is.InRange(lastDone, lastDone + 1), $"trial {trial}: the last reported save or the one in flight");
            string[] stale = TempFiles(_folder);
            // The child saved at least once before it was killed, so the temp files earlier kills left are gone.
            Assert.That(stale.Intersect(staleBefore), Is.Empty, $"trial {trial}: stale temp files survived a later save");
            Assert.That(stale, Has.Length.LessThanOrEqualTo(1), $"trial {trial}: at most the one interrupted write");
            staleSeen += stale.Length;
            staleBefore = stale;
        }
        using (var network = Network<float>.Load(path, cpu)) network.Save(path);
        Assert.That(TempFiles(_folder), Is.Empty, "a save in this process removes what the last kill left");
        TestContext.Out.WriteLine($"{Trials} kills during Network.Save: the model file loaded complete after every one; " +
                                  $"{staleSeen} kills left a temp file, each removed by the next save; {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Test]
    public void AKilledSessionCheckpointAlwaysLeavesTheOldPairOrTheNewPair()
    {
        var random = new Random(8);
        using var cpu = new CpuBackend<float>();
        var model = new Sequential(new Dense(256, 256), new ReLU(), new Dense(256, 10));
        int complete = 0;
        for (int trial = 0; trial < SessionTrials; trial++)
        {
            int lastDone = RunAndKill("session", _folder, TimeSpan.FromMilliseconds(random.Next(0, 30)));
            using var session = model.Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy);
            // The two-phase save means every kill leaves a pair that loads (a save past its commit point is completed).
            session.LoadCheckpoint(_folder);
            float[] values = cpu.ToArray(session.Network.Parameters);
            Assert.That(values, Is.All.EqualTo(values[0]), $"trial {trial}");
            Assert.That(values[0], Is.InRange(lastDone, lastDone + 1), $"trial {trial}");
            complete++;
        }
        TestContext.Out.WriteLine($"{SessionTrials} kills during TrainingSession.SaveCheckpoint: all {complete} left a loadable pair");
        Assert.That(complete, Is.EqualTo(SessionTrials));
        Assert.That(Directory.GetFiles(_folder, "*" + CheckpointFiles.PendingSuffix), Is.Empty, "loading completes or discards a pending save");
    }
}
