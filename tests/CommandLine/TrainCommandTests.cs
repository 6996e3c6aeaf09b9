using System.Text.Json;
using System.Xml.Linq;
using NUnit.Framework;

namespace CudaNet.Tests.CommandLine;

/// <summary>The main job end to end: the real tool, the bundled sample, the run folder it writes.</summary>
public sealed class TrainCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-cli").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string[] Train(string output, params string[] extra) =>
        ["train", "--data", CliRunner.Sample, "--layers", "64", "--output", output, "--patience", "0", .. extra];

    private static JsonElement Metrics(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement;

    [Test]
    public void TrainingOneEpochOnTheSampleWritesACompleteRunFolderAndEvaluateAgrees()
    {
        string run = Path.Combine(_folder, "run");
        var (code, output, error) = CliRunner.Run(Train(run, "--epochs", "1"));
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("Epoch 1/1 - ").And.Contain(" - loss ").And.Contain(" - val_acc ").And.Contain("test accuracy"));
        Assert.That(output, Does.Contain("device: cpu"));
        Assert.That(Directory.GetFiles(run).Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "config.json", "curves.svg", "metrics.csv", "metrics.json", "model.safetensors", "standardizer.json", "training-state.safetensors",
        }));
        var metrics = Metrics(run);
        double accuracy = metrics.GetProperty("test_accuracy").GetDouble();
        Assert.That(accuracy, Is.GreaterThan(0.6), "one epoch on 2,700 images already beats chance by far");
        Assert.That(metrics.GetProperty("seconds_per_epoch").GetDouble(), Is.GreaterThan(0));
        Assert.That(metrics.GetProperty("history").GetArrayLength(), Is.EqualTo(1));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(2));
        var svg = XDocument.Load(Path.Combine(run, "curves.svg"));
        Assert.That(svg.Descendants().Count(e => e.Name.LocalName == "path"), Is.GreaterThanOrEqualTo(4), "train and validation curves in both panels");

        var (evalCode, evalOutput, evalError) = CliRunner.Run("evaluate", "--model", run, "--data", CliRunner.Sample, "--json");
        Assert.That(evalCode, Is.Zero, evalError);
        var evaluation = JsonDocument.Parse(evalOutput).RootElement;
        Assert.That(evaluation.GetProperty("accuracy").GetDouble(), Is.EqualTo(accuracy), "the saved model and standardizer reproduce the run's test figure");
        var confusion = evaluation.GetProperty("confusion_matrix");
        Assert.That(confusion.EnumerateArray().Sum(row => row.EnumerateArray().Sum(v => v.GetInt32())), Is.EqualTo(1000));
    }

    [Test]
    public void ResumingContinuesTheRunExactly()
    {
        string straight = Path.Combine(_folder, "straight"), split = Path.Combine(_folder, "split");
        Assert.That(CliRunner.Run(Train(straight, "--epochs", "2", "--schedule", "constant")).ExitCode, Is.Zero);
        Assert.That(CliRunner.Run(Train(split, "--epochs", "1", "--schedule", "constant")).ExitCode, Is.Zero);
        var (code, output, error) = CliRunner.Run("train", "--resume", split, "--epochs", "2");
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("resumed after epoch 1"));
        var (a, b) = (Metrics(straight), Metrics(split));
        Assert.That(b.GetProperty("history").GetArrayLength(), Is.EqualTo(2));
        Assert.That(b.GetProperty("test_loss").GetDouble(), Is.EqualTo(a.GetProperty("test_loss").GetDouble()), "bit-identical to the uninterrupted run");
        var lossesA = a.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("loss").GetDouble());
        var lossesB = b.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("loss").GetDouble());
        Assert.That(lossesB, Is.EqualTo(lossesA));
    }
}
