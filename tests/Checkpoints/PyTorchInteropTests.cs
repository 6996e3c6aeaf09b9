using System.Diagnostics;
using System.Globalization;
using CudaNet.Cpu;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

/// <summary>
/// CudaNet model files load into PyTorch 1.13 with <c>load_state_dict</c> and PyTorch's state dicts load into
/// CudaNet, both reproducing the other's eval-mode logits (tests/golden/checkpoint_pytorch.py).
/// </summary>
public sealed class PyTorchInteropTests : CheckpointFixture
{
    private const string Python = "/usr/bin/python3";

    private static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail("checkpoint_pytorch.py did not finish within 2 minutes.");
        }
        return (process.ExitCode, output + error.Result);
    }

    private static readonly Lazy<string?> TorchMissing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} does not exist.";
        var (code, output) = Run("-c", "import torch, numpy");
        return code == 0 ? null : $"{Python} cannot import torch and numpy: {output.Trim()}";
    });

    private string Script(string mode, string model, string batch)
    {
        if (TorchMissing.Value is { } reason) Assert.Ignore(reason);
        var (code, output) = Run(Path.Combine(RepositoryRoot, "tests", "golden", "checkpoint_pytorch.py"), mode, model, batch);
        Assert.That(code, Is.Zero, output);
        return output;
    }

    private static double Value(string output, string key) => double.Parse(
        output.Split('\n').Single(l => l.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..], CultureInfo.InvariantCulture);

    private static Sequential Model() => new(new Dense(20, 16), new BatchNorm(16), new ReLU(), new Dropout(0.2), new Dense(16, 4));

    private static float[] Logits(Network<float> network, float[] input)
    {
        int rows = input.Length / network.InputFeatures;
        network.Reserve(rows);
        network.Backend.Upload(network.Input(rows), input);
        return network.Backend.ToArray(network.Forward(rows, training: false));
    }

    private static IEnumerable<TestCaseData> CudaNetModels()
    {
        yield return new TestCaseData(Model()).SetName("Dense BatchNorm ReLU Dropout Dense");
        yield return new TestCaseData(new Sequential(new Dense(20, 16), new LayerNorm(16), new PReLU(16), new Dense(16, 8),
            new GroupNorm(2, 8), new Gelu(), new Dense(8, 4))).SetName("LayerNorm PReLU GroupNorm Gelu");
    }

    [TestCaseSource(nameof(CudaNetModels))]
    public void CudaNetModelLoadsIntoPyTorchWithTheSameLogits(Sequential architecture)
    {
        using var cpu = new CpuBackend<float>();
        using var session = architecture.Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 21);
        var data = Synthetic(128, 20, 4, seed: 5);
        var shifted = data.Features.Select((v, i) => 2 * v + 0.1f * (i % 20)).ToArray();
        session.Fit(CudaNet.Data.Dataset.WithLabels(shifted, 20, data.Labels!, 4), epochs: 3, options: new FitOptions(BatchSize: 32));
        string model = PathOf("model.safetensors"), batch = PathOf("batch.safetensors");
        session.Network.Save(model);
        var input = Support.TestData.Normal<float>(7, 24 * 20, std: 2);
        var logits = Logits(session.Network, input);
        SafeTensors.Save(batch, [new("input", SafeTensorEntry.FromFloats(input, 24, 20)), new("logits", SafeTensorEntry.FromFloats(logits, 24, 4))]);

        double difference = Value(Script("check", model, batch), "max_abs_diff");
        TestContext.Out.WriteLine($"PyTorch vs CudaNet eval logits: max |difference| = {difference:E2}");
        Assert.That(difference, Is.LessThanOrEqualTo(1e-5));
        Assert.That(logits.Max(Math.Abs), Is.GreaterThan(0.5f), "logits are not trivially small");
    }

    [Test]
    public void PyTorchStateDictLoadsIntoCudaNetWithTheSameLogits()
    {
        string model = PathOf("torch.safetensors"), batch = PathOf("torch-batch.safetensors");
        long tracked = (long)Value(Script("write", model, batch), "num_batches_tracked");
        using var cpu = new CpuBackend<float>();
        using var network = Model().Build(cpu);
        network.LoadWeights(model);
        Assert.That(network.Layers[1].Counters.Single().Value, Is.EqualTo(tracked).And.EqualTo(7));

        var file = SafeTensors.Load(batch);
        var input = file.Get("input", SafeTensorDType.F32, 16, 20).ToFloats();
        var expected = file.Get("logits", SafeTensorDType.F32, 16, 4).ToFloats();
        var actual = Logits(network, input);
        double difference = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        TestContext.Out.WriteLine($"CudaNet vs PyTorch eval logits: max |difference| = {difference:E2}");
        Assert.That(difference, Is.LessThanOrEqualTo(1e-5));
    }
}
