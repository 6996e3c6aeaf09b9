using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

public sealed class NetworkTests
{
    private static Sequential Mlp() => new(
        new Dense(20, 16), new BatchNorm(16), new ReLU(), new Dropout(0.2),
        new Dense(16, 16, regularizer: Regularizer.Ridge(1e-4)), new ReLU(), new Dense(16, 3));

    [Test]
    public void StateDictNamesFollowPyTorchSequential()
    {
        using var cpu = new CpuBackend<float>();
        using var network = Mlp().Build(cpu);
        Assert.That(network.NamedParameters.Select(p => p.Name), Is.EqualTo(new[]
            { "0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "6.weight", "6.bias" }));
        Assert.That(network.NamedBuffers.Select(b => b.Name), Is.EqualTo(new[] { "1.running_mean", "1.running_var" }));
        Assert.That(cpu.ToArray(network.NamedBuffers[1].Buffer.Value), Is.All.EqualTo(1f));
    }

    [Test]
    public void ParametersAreGroupedIntoContiguousRangesByDecayAndPenalty()
    {
        using var cpu = new CpuBackend<float>();
        using var network = Mlp().Build(cpu);
        Assert.That(network.Groups, Has.Count.EqualTo(3));
        // Groups come in order of first appearance: 0.weight (decayed), 0.bias (not), 4.weight (ridge).
        var (plain, noDecay, ridge) = (network.Groups[0], network.Groups[1], network.Groups[2]);
        Assert.That((plain.Decay, plain.L2, plain.Length), Is.EqualTo((true, 0.0, 20 * 16 + 16 * 3)));
        Assert.That((noDecay.Decay, noDecay.Length), Is.EqualTo((false, 16 + 16 + 16 + 16 + 3)));
        Assert.That((ridge.Decay, ridge.L2, ridge.Length), Is.EqualTo((true, 1e-4, 16 * 16)));
        Assert.That(network.Groups.Sum(g => g.Length), Is.EqualTo(network.Parameters.Length));
        Assert.That((noDecay.Offset, ridge.Offset), Is.EqualTo((plain.Length, plain.Length + noDecay.Length)));
    }

    [Test]
    public void DenseInitialisationFollowsPyTorchBoundsAndIsSeeded()
    {
        using var cpu = new CpuBackend<float>();
        using var a = Mlp().Build(cpu, seed: 7);
        using var b = Mlp().Build(cpu, seed: 7);
        using var c = Mlp().Build(cpu, seed: 8);
        var wa = cpu.ToArray(a.NamedParameters[0].Parameter.Value);
        Assert.That(wa, Is.EqualTo(cpu.ToArray(b.NamedParameters[0].Parameter.Value)));
        Assert.That(wa, Is.Not.EqualTo(cpu.ToArray(c.NamedParameters[0].Parameter.Value)));
        double bound = 1 / Math.Sqrt(20);
        Assert.That(wa.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.8 * bound));
        Assert.That(wa.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-0.8 * bound));
        Assert.That(cpu.ToArray(a.NamedParameters[2].Parameter.Value), Is.All.EqualTo(1f), "BatchNorm γ starts at 1");
    }

    [Test]
    public void ModelsReportSizeMismatchesClearly()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new Sequential(new Dense(4, 8), new Dense(9, 2)))!;
        Assert.That(e.Message, Does.Contain("Dense").And.Contain("9").And.Contain("8"));
        Assert.Throws<ArgumentException>(() => _ = new Sequential(new ReLU()));
        Assert.Throws<ArgumentException>(() => _ = new Sequential());
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Dense(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Dropout(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new BatchNorm(4, eps: 0));
    }

    [Test]
    public void DisposingTheNetworkReturnsTheBackendToItsBaseline()
    {
        using var cpu = new CpuBackend<float>();
        var network = Mlp().Build(cpu);
        network.Reserve(32);
        Assert.That(cpu.Allocations.LiveCount, Is.GreaterThan(0));
        network.Dispose();
        network.Dispose();
        Assert.That(cpu.Allocations.LiveCount, Is.Zero);
        Assert.That(cpu.Allocations.LiveBytes, Is.Zero);
    }
}
