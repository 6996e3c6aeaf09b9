using System.Numerics;
using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

public sealed class FoldingTests : CheckpointFixture
{
    private static T[] Infer<T>(Network<T> network, T[] input) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = input.Length / network.InputFeatures;
        network.Reserve(rows);
        network.Backend.Upload(network.Input(rows), input);
        return network.Backend.ToArray(network.Forward(rows, training: false));
    }

    private static Sequential Model() => new(
        new Dense(20, 16), new BatchNorm(16), new ReLU(), new Dropout(0.1),
        new Dense(16, 12, bias: false), new BatchNorm(12, eps: 1e-3), new Tanh(),
        new BatchNorm(12), new Dense(12, 4));

    private static Network<T> TrainedNetwork<T>(CpuBackend<T> cpu, out TrainingSession<T> session) where T : unmanaged, IFloatingPointIeee754<T>
    {
        session = Model().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        // Inputs far from zero mean and unit variance give running statistics well away from their initial 0 and 1.
        var data = Synthetic(160, 20, 4, seed: 6);
        var shifted = data.Features.Select((v, i) => 3 * v + i % 20 - 8f).ToArray();
        session.Fit(CudaNet.Data.Dataset.WithLabels(shifted, 20, data.Labels!, 4), epochs: 3, options: new FitOptions(BatchSize: 32));
        return session.Network;
    }

    [Test]
    public void FoldedNetworkComputesTheSameInferenceWithinFloatRounding()
    {
        using var cpu = new CpuBackend<float>();
        var network = TrainedNetwork(cpu, out var session);
        using var _ = session;
        var mean = cpu.ToArray(network.NamedBuffers[0].Buffer.Value);
        Assert.That(mean.Max(Math.Abs), Is.GreaterThan(0.5f), "realistic running statistics");

        using var folded = network.FoldBatchNorm();
        Assert.That(folded.Model.Layers.Select(l => l.GetType().Name), Is.EqualTo(new[]
            { "Dense", "ReLU", "Dropout", "Dense", "Tanh", "BatchNorm", "Dense" }), "a BatchNorm after Tanh stays");
        Assert.That(folded.NamedParameters.Select(p => p.Name), Is.EqualTo(new[]
            { "0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias", "6.weight", "6.bias" }));
        Assert.That(folded.Layers[5].Counters.Single().Value, Is.EqualTo(network.Layers[7].Counters.Single().Value));

        var input = Support.TestData.Normal<float>(8, 64 * 20, std: 4);
        var expected = Infer(network, input);
        var actual = Infer(folded, input);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.That(worst, Is.LessThan(1e-5));
        Assert.That(expected.Max(Math.Abs), Is.GreaterThan(0.5f), "outputs are not trivially small");
    }

    [Test]
    public void FoldingMatchesTheFormulaInDouble()
    {
        using var cpu = new CpuBackend<double>();
        var network = TrainedNetwork(cpu, out var session);
        using var _ = session;
        using var folded = network.FoldBatchNorm();
        var input = Support.TestData.Normal<double>(9, 32 * 20, std: 4);
        var expected = Infer(network, input);
        var actual = Infer(folded, input);
        Assert.That(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max(), Is.LessThan(1e-12));

        // W' = W·γ/√(var + eps) row-wise and b' = (b − mean)·γ/√(var + eps) + β, checked for one element.
        double Get(Network<double> n, string name, int i) =>
            cpu.ToArray(n.NamedParameters.Select(p => (p.Name, p.Parameter.Value)).Concat(n.NamedBuffers.Select(b => (b.Name, b.Buffer.Value)))
                .Single(t => t.Name == name).Value)[i];
        double scale = Get(network, "1.weight", 5) / Math.Sqrt(Get(network, "1.running_var", 5) + 1e-5);
        Assert.That(Get(folded, "0.weight", 5 * 20 + 7), Is.EqualTo(Get(network, "0.weight", 5 * 20 + 7) * scale).Within(1e-15));
        Assert.That(Get(folded, "0.bias", 5),
            Is.EqualTo((Get(network, "0.bias", 5) - Get(network, "1.running_mean", 5)) * scale + Get(network, "1.bias", 5)).Within(1e-14));
    }

    [Test]
    public void ModelsWithoutFoldablePairsAreCopied()
    {
        using var cpu = new CpuBackend<float>();
        using var network = new Sequential(new BatchNorm(6), new Dense(6, 3), new ReLU()).Build(cpu, seed: 2);
        using var folded = network.FoldBatchNorm();
        Assert.That(folded.StateDict().Select(e => e.Value.Data), Is.EqualTo(network.StateDict().Select(e => e.Value.Data)));
        var input = Support.TestData.Normal<float>(1, 4 * 6);
        Assert.That(Bits(Infer(folded, input)), Is.EqualTo(Bits(Infer(network, input))));
    }
}
