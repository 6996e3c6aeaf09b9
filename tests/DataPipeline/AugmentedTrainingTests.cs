using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.DataPipeline;

public sealed class AugmentedTrainingTests
{
    private const int Side = 8, Pixels = Side * Side, Classes = 3;

    /// <summary>Images with a bright bar whose orientation is the class (row, column, diagonal), with some noise.</summary>
    private static Dataset Bars(int count, ulong seed)
    {
        var random = new HostRandom(seed, 0);
        var features = new float[count * Pixels];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % Classes;
            int at = 2 + random.NextInt(4);
            for (int k = 0; k < Side; k++)
            {
                int pixel = labels[i] switch { 0 => at * Side + k, 1 => k * Side + at, _ => k * Side + k };
                features[i * Pixels + pixel] = 1;
            }
            for (int p = 0; p < Pixels; p++) features[i * Pixels + p] += (float)random.Uniform(0, 0.1);
        }
        return Dataset.WithLabels(features, Pixels, labels, Classes);
    }

    private static TrainingSession<T> Session<T>(IBackend<T> backend) where T : unmanaged, IFloatingPointIeee754<T> =>
        new Sequential(new Dense(Pixels, 16), new ReLU(), new Dense(16, Classes))
            .Compile(backend, new Sgd(lr: 0.1, momentum: 0.9), Loss.SoftmaxCrossEntropy, seed: 5);

    /// <summary>Records its calls; <see cref="Poison"/> makes every feature NaN.</summary>
    private sealed class RecordingAugmentation(bool poison = false) : IAugmentation
    {
        public List<(ulong Seed, int Epoch)> Calls { get; } = [];
        public bool Poison { get; } = poison;
        public int FeatureCount => Pixels;

        public void Apply(ReadOnlySpan<float> source, Span<float> destination, int count, ulong seed, int epoch)
        {
            Calls.Add((seed, epoch));
            if (Poison) destination.Fill(float.NaN);
            else source.CopyTo(destination);
        }
    }

    [Test]
    public void FitWithAugmentationTrainsDeterministicallyAndDiffersFromFitWithout()
    {
        var train = Bars(96, 1);
        var validation = Bars(30, 2);
        var options = new FitOptions(BatchSize: 16, Augmentation: new ImageAugmentation(Side, Side, maxShift: 1, noiseStd: 0.05));
        using var cpu = new CpuBackend<float>();
        List<EpochMetrics> Run(FitOptions fit)
        {
            using var session = Session(cpu);
            return [.. session.Fit(train, validation, epochs: 3, fit)];
        }
        var plain = Run(new FitOptions(BatchSize: 16));
        var augmented = Run(options);
        var again = Run(options);
        Assert.That(augmented.Select(m => m.Loss), Is.All.Positive.And.All.Not.NaN);
        Assert.That(augmented.Select(m => m.ValidationLoss), Is.All.Not.Null.And.All.Not.NaN);
        Assert.That(augmented.Select(m => m.Loss), Is.EqualTo(again.Select(m => m.Loss)), "same seed, same run");
        Assert.That(augmented.Select(m => m.ValidationLoss), Is.EqualTo(again.Select(m => m.ValidationLoss)));
        Assert.That(augmented[0].Loss, Is.Not.EqualTo(plain[0].Loss));
        Assert.That(augmented[^1].ValidationLoss, Is.Not.EqualTo(plain[^1].ValidationLoss));
        Assert.That(augmented[^1].Loss, Is.LessThan(augmented[0].Loss), "it still learns");
        Assert.That(cpu.Allocations.LiveCount, Is.Zero, "the augmented features' tensor is freed with the fit");
    }

    [Test]
    public void AnIdentityAugmentationGivesTheSameRunAsNone()
    {
        var train = Bars(48, 3);
        using var cpu = new CpuBackend<float>();
        using var a = Session(cpu);
        using var b = Session(cpu);
        var plain = a.Fit(train, epochs: 2, options: new FitOptions(BatchSize: 16));
        var identity = b.Fit(train, epochs: 2, options: new FitOptions(BatchSize: 16, Augmentation: new ImageAugmentation(Side, Side, 0, false)));
        Assert.That(identity.Select(m => m.Loss), Is.EqualTo(plain.Select(m => m.Loss)));
    }

    [Test]
    public void TheAugmentationRunsOncePerEpochWithTheNetworkSeedAndTheSessionEpoch()
    {
        var train = Bars(48, 4);
        var recorder = new RecordingAugmentation();
        using var cpu = new CpuBackend<double>();
        using var session = Session(cpu);
        session.Fit(train, epochs: 2, options: new FitOptions(BatchSize: 8, Shuffle: false, Augmentation: recorder));
        session.Fit(train, epochs: 1, options: new FitOptions(BatchSize: 8, Augmentation: recorder));
        Assert.That(recorder.Calls, Is.EqualTo(new[] { (5UL, 0), (5UL, 1), (5UL, 2) }));
    }

    [Test]
    public void ValidationAndEvaluationDataAreNeverAugmented()
    {
        var train = Bars(48, 5);
        var validation = Bars(24, 6);
        using var cpu = new CpuBackend<float>();
        using var session = Session(cpu);
        double before = session.Evaluate(validation).Loss;
        var poison = new RecordingAugmentation(poison: true);
        var metrics = session.Fit(train, validation, epochs: 1, new FitOptions(BatchSize: 16, Augmentation: poison));
        // Every training step saw NaN features and was skipped; the validation pass saw the clean data.
        Assert.That(metrics[0].SkippedSteps, Is.EqualTo(3));
        Assert.That(metrics[0].ValidationLoss, Is.EqualTo(before));
        Assert.That(session.Evaluate(validation).Loss, Is.EqualTo(before));
        Assert.That(poison.Calls, Has.Count.EqualTo(1));
    }

    [Test]
    public void AnAugmentationForOtherImagesIsRejected()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Session(cpu);
        long baseline = cpu.Allocations.LiveCount;
        var e = Assert.Throws<ArgumentException>(() =>
            session.Fit(Bars(12, 7), epochs: 1, options: new FitOptions(Augmentation: new ImageAugmentation(28, 28))))!;
        Assert.That(e.Message, Does.Contain("augmentation").And.Contain("784").And.Contain("64"));
        Assert.That(cpu.Allocations.LiveCount, Is.EqualTo(baseline));
    }
}
