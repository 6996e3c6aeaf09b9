using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Uncertainty;

public sealed class EnsembleTests
{
    // Overlapping blobs with 30 % of the training labels redrawn: single members overfit the noise differently.
    private static readonly Dataset Train = Blobs.Make(300, 10, 4, separation: 0.8, seed: 21, labelNoise: 0.3);
    private static readonly Dataset Test = Blobs.Make(1000, 10, 4, separation: 0.8, seed: 22);

    private static Sequential Mlp() => new(new Dense(10, 64), new ReLU(), new Dense(64, 64), new ReLU(), new Dense(64, 4));

    private static Ensemble<float> Bagged(CpuBackend<float> cpu, int members = 5, ulong seed = 7) =>
        Ensemble.Train(Mlp, cpu, () => new Adam(1e-2), Loss.SoftmaxCrossEntropy, Train, members, epochs: 30,
            new FitOptions(BatchSize: 32), seed);

    [Test]
    public void MembersDifferInSeedAndResample()
    {
        using var cpu = new CpuBackend<float>();
        using var ensemble = Bagged(cpu, members: 3);
        var seeds = ensemble.Members.Select(m => m.Network.Seed).ToArray();
        Assert.That(seeds.Distinct().Count(), Is.EqualTo(3));
        var weights = ensemble.Members.Select(m => cpu.ToArray(m.Network.Parameters)).ToArray();
        Assert.That(weights[0], Is.Not.EqualTo(weights[1]));
        Assert.That(weights[1], Is.Not.EqualTo(weights[2]));
        var resamples = seeds.Select(s => Ensemble.Resample(Train, s)).ToArray();
        Assert.That(resamples[0].Features, Is.Not.EqualTo(resamples[1].Features));
        // A bootstrap resample holds about 1 - 1/e ≈ 63 % distinct examples.
        int distinct = Enumerable.Range(0, Train.Count).Select(i => resamples[0].Features[i * 10]).Distinct().Count();
        Assert.That(distinct, Is.InRange(160, 220));
        Assert.That(Ensemble.Resample(Train, seeds[0]).Features, Is.EqualTo(resamples[0].Features), "resampling is seeded");
    }

    [Test]
    public void AveragedProbabilitiesAreExactlyTheMeanOfTheMembersSoftmax()
    {
        using var cpu = new CpuBackend<float>();
        using var ensemble = Bagged(cpu, members: 3);
        var average = ensemble.PredictProbabilities(Test, batchSize: 100);
        var sum = new double[average.Length];
        foreach (var member in ensemble.Members)
        {
            var p = member.PredictProbabilities(Test, batchSize: 100);
            for (int i = 0; i < p.Length; i++) sum[i] += p[i];
        }
        Assert.That(average, Is.EqualTo(sum.Select(v => (float)(v / 3)).ToArray()));
        Assert.That(average.Max(), Is.LessThanOrEqualTo(1f));
    }

    [Test]
    public void EnsembleBeatsTheMeanMemberOnNoisyLabelsAndIsDeterministic()
    {
        using var cpu = new CpuBackend<float>();
        using var ensemble = Bagged(cpu);
        double ensembleAccuracy = ensemble.Evaluate(Test);
        var memberAccuracies = ensemble.Members.Select(m => m.Evaluate(Test).Accuracy!.Value).ToArray();
        // Measured: ensemble 0.688; members 0.647, 0.628, 0.656, 0.631, 0.608 (mean 0.634).
        Assert.That(ensembleAccuracy, Is.GreaterThanOrEqualTo(memberAccuracies.Average() + 0.02));
        Assert.That(ensembleAccuracy, Is.GreaterThanOrEqualTo(memberAccuracies.Max()));
        using var again = Bagged(cpu);
        Assert.That(again.PredictProbabilities(Test), Is.EqualTo(ensemble.PredictProbabilities(Test)));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        using var cpu = new CpuBackend<float>();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Ensemble.Train(Mlp, cpu, () => new Adam(), Loss.SoftmaxCrossEntropy, Train, members: 0, epochs: 1))!;
        Assert.That(e.Message, Does.Contain("Ensemble.Train").And.Contain("members"));
        var mse = Assert.Throws<ArgumentException>(() =>
            Ensemble.Train(Mlp, cpu, () => new Adam(), Loss.MeanSquaredError, Train, members: 2, epochs: 1))!;
        Assert.That(mse.Message, Does.Contain("class labels"));
        Assert.Throws<ArgumentException>(() => _ = new Ensemble<float>([]));
        Assert.That(cpu.Allocations.LiveCount, Is.Zero, "failed constructions leave nothing allocated");
    }
}
