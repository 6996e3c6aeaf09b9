using NUnit.Framework;

namespace CudaNet.Tests.CommandLine;

/// <summary>Every bad input gets one line naming the problem, exit code 2, no stack trace and no run folder.</summary>
public sealed class BadInputTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-bad").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private void AssertRejected(string expected, params string[] args)
    {
        string output = Path.Combine(_folder, "run");
        string[] full = args[0] != "train" || args.Contains("--output") || args.Contains("--resume") ? args : [.. args, "--output", output];
        var (code, _, error) = CliRunner.Run(full);
        Assert.That(code, Is.EqualTo(2), error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), "one line");
        Assert.That(lines[0], Does.StartWith("cudanet").And.Contain(expected));
        Assert.That(error, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(Directory.Exists(output), Is.False, "nothing written");
    }

    [Test]
    public void UnknownOption() => AssertRejected("'--learning-rate'", "train", "--learning-rate", "0.1");

    [TestCase("--lr", "-0.001", "--lr")]
    [TestCase("--dropout", "1", "--dropout")]
    [TestCase("--batch-size", "0", "--batch-size")]
    [TestCase("--epochs", "0", "--epochs")]
    [TestCase("--validation-split", "1.5", "--validation-split")]
    [TestCase("--layers", "512,-3", "--layers")]
    [TestCase("--optimizer", "adamm", "--optimizer")]
    [TestCase("--augment", "rotate", "--augment")]
    public void ImpossibleValue(string option, string value, string named) =>
        AssertRejected(named, "train", "--data", CliRunner.Sample, option, value);

    [Test]
    public void Tf32OnTheCpu() => AssertRejected("--tf32", "train", "--data", CliRunner.Sample, "--device", "cpu", "--tf32");

    [Test]
    public void Tf32WithoutATf32Gpu()
    {
        // auto falls back to the CPU without a GPU; a GPU below compute capability 8.0 is named with its capability.
        if (CudaNet.Cuda.CudaBackend.TryCreate(out var gpu, out _))
        {
            using (gpu)
                if (CudaNet.Cuda.CudaBackend.Tf32Unsupported(gpu!.Context.Name, gpu.Context.ComputeCapability) is null)
                    Assert.Ignore("this GPU runs TF32");
        }
        AssertRejected("--tf32", "train", "--data", CliRunner.Sample, "--device", "auto", "--tf32");
    }

    [Test]
    public void MissingDataFolder() => AssertRejected("--data", "train", "--data", Path.Combine(_folder, "nowhere"));

    [Test]
    public void MissingDataFile()
    {
        string data = CopySample("incomplete");
        File.Delete(Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
        AssertRejected("t10k-labels-idx1-ubyte", "train", "--data", data);
    }

    [Test]
    public void CorruptDataFile()
    {
        string data = CopySample("corrupt");
        string labels = Path.Combine(data, "train-labels-idx1-ubyte.gz");
        File.WriteAllBytes(labels, File.ReadAllBytes(labels)[..40]);
        AssertRejected("train-labels-idx1-ubyte", "train", "--data", data);
    }

    [Test]
    public void UnwritableOutputFolder()
    {
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "not a folder");
        AssertRejected("--output", "train", "--data", CliRunner.Sample, "--output", Path.Combine(file, "run"));
    }

    [Test]
    public void CudaWithoutAUsableGpu()
    {
        if (CudaNet.Cuda.CudaBackend.TryCreate(out var gpu, out _))
        {
            gpu!.Dispose();
            Assert.Ignore("a usable GPU is present");
        }
        AssertRejected("--device cuda", "train", "--data", CliRunner.Sample, "--device", "cuda");
    }

    [Test]
    public void EvaluateWithoutAModel() => AssertRejected("--model", "evaluate", "--model", Path.Combine(_folder, "missing"));

    [Test]
    public void ResumeOfAFolderThatIsNoRun() => AssertRejected("--resume", "train", "--resume", _folder);

    private string CopySample(string name)
    {
        string target = Path.Combine(_folder, name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(CliRunner.Sample, "*.gz")) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }
}
