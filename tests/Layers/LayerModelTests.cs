using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Layers;

/// <summary>State-dict names, parameter groups, first-layer use and constructor validation of the new layers.</summary>
public sealed class LayerModelTests
{
    private static Sequential Model() => new(
        new Dense(6, 6), new LayerNorm(6), new PReLU(6), new GroupNorm(3, 6), new DropConnect(6, 4, 0.25),
        new GaussianNoise(0.1), new Softmax());

    [Test]
    public void StateDictNamesFollowPyTorch()
    {
        using var cpu = new CpuBackend<float>();
        using var network = Model().Build(cpu);
        Assert.That(network.NamedParameters.Select(p => p.Name), Is.EqualTo(new[]
            { "0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "3.weight", "3.bias", "4.weight", "4.bias" }));
        Assert.That(network.NamedBuffers, Is.Empty);
        Assert.That(network.OutputFeatures, Is.EqualTo(4));
        // Decayed: the two weight matrices only; norm parameters and PReLU slopes are not decayed.
        var decayed = network.Groups.Where(g => g.Decay).Sum(g => g.Length);
        Assert.That(decayed, Is.EqualTo(6 * 6 + 4 * 6));
        Assert.That(network.Layers[4].Counters.Single().Name, Is.EqualTo("rng_calls"));
        Assert.That(network.Layers[5].Counters.Single().InStateDict, Is.False);
    }

    [Test]
    public void TrainingStepRunsAndNormalisationLayersWorkFirst()
    {
        using var cpu = new CpuBackend<float>();
        foreach (var first in new Layer[] { new LayerNorm(6), new GroupNorm(2, 6), new PReLU(6) })
        {
            using var network = new Sequential(first, new Dense(6, 3), new Softmax()).Build(cpu);
            network.Reserve(4);
            cpu.Upload(network.Input(4), Enumerable.Range(0, 24).Select(i => MathF.Sin(i)).ToArray());
            var y = cpu.ToArray(network.Forward(4, training: true));
            for (int n = 0; n < 4; n++) Assert.That(y.Skip(3 * n).Take(3).Sum(), Is.EqualTo(1f).Within(1e-6f));
            cpu.Upload(network.OutputGradient, Enumerable.Range(0, 12).Select(i => MathF.Cos(i)).ToArray());
            network.Backward();
            Assert.That(cpu.ToArray(network.NamedParameters[0].Parameter.Gradient).Any(g => g != 0), Is.True, first.GetType().Name);
        }
    }

    [Test]
    public void ModelOfEveryNewLayerTrains()
    {
        using var cpu = new CpuBackend<float>();
        var data = Enumerable.Range(0, 64 * 6).Select(i => MathF.Sin(0.37f * i)).ToArray();
        var labels = Enumerable.Range(0, 64).Select(n => data[6 * n] + data[6 * n + 1] > 0 ? 1 : 0).ToArray();
        var model = new Sequential(new Dense(6, 8), new LayerNorm(8), new PReLU(8), new GaussianNoise(0.05),
            new DropConnect(8, 8, 0.2, DropConnectInference.MomentMatching), new GroupNorm(2, 8), new Dense(8, 2));
        using var session = model.Compile(cpu, new Adam(lr: 1e-2), Loss.SoftmaxCrossEntropy, seed: 3);
        var set = CudaNet.Data.Dataset.WithLabels(data, 6, labels, 2);
        var before = session.Evaluate(set, batchSize: 16);
        session.Fit(set, epochs: 30, options: new FitOptions(BatchSize: 16));
        var after = session.Evaluate(set, batchSize: 16);
        Assert.That(after.Loss, Is.LessThan(before.Loss * 0.7));
    }

    private static IEnumerable<TestCaseData> BadConstructors() =>
    [
        new TestCaseData(() => new LayerNorm(0), "LayerNorm", "features"),
        new TestCaseData(() => new LayerNorm(4, eps: 0), "LayerNorm", "eps"),
        new TestCaseData(() => new GroupNorm(0, 4), "GroupNorm", "groups"),
        new TestCaseData(() => new GroupNorm(3, 4), "GroupNorm", "groups"),
        new TestCaseData(() => new GroupNorm(2, 0), "GroupNorm", "features"),
        new TestCaseData(() => new GroupNorm(2, 4, eps: double.NaN), "GroupNorm", "eps"),
        new TestCaseData(() => new PReLU(0), "PReLU", "features"),
        new TestCaseData(() => new PReLU(3, double.PositiveInfinity), "PReLU", "init"),
        new TestCaseData(() => new GaussianNoise(-0.1), "GaussianNoise", "stddev"),
        new TestCaseData(() => new GaussianNoise(double.NaN), "GaussianNoise", "stddev"),
        new TestCaseData(() => new DropConnect(0, 3), "DropConnect", "inputs"),
        new TestCaseData(() => new DropConnect(3, 0), "DropConnect", "outputs"),
        new TestCaseData(() => new DropConnect(3, 3, p: 1.0), "DropConnect", "p"),
        new TestCaseData(() => new DropConnect(3, 3, p: -0.1), "DropConnect", "p"),
        new TestCaseData(() => new DropConnect(3, 3, samples: 0), "DropConnect", "samples"),
        new TestCaseData(() => new DropConnect(3, 3, inference: (DropConnectInference)7), "DropConnect", "inference"),
        new TestCaseData(() => new DropConnect(3, 3, activation: new Activation(ActivationKind.Elu, double.NaN)), "DropConnect", "activation"),
    ];

    [TestCaseSource(nameof(BadConstructors))]
    public void BadConstructorArgumentsThrowNamingClassAndArgument(Func<Layer> create, string layer, string argument)
    {
        var e = Assert.Catch<ArgumentException>(() => create())!;
        Assert.That(e.Message, Does.Contain(layer));
        Assert.That(e.ParamName, Is.EqualTo(argument));
    }

    [Test]
    public void WrongInputSizesThrow()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new Sequential(new Dense(4, 5), new LayerNorm(4)))!.Message,
            Does.Contain("LayerNorm").And.Contain("5"));
        Assert.Throws<ArgumentException>(() => _ = new Sequential(new Dense(4, 5), new GroupNorm(2, 4)));
        Assert.Throws<ArgumentException>(() => _ = new Sequential(new Dense(4, 5), new PReLU(4)));
        Assert.Throws<ArgumentException>(() => _ = new Sequential(new Dense(4, 5), new DropConnect(4, 2)));
    }
}
