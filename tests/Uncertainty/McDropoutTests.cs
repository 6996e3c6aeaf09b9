using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.Tests.Training;
using NUnit.Framework;

namespace CudaNet.Tests.Uncertainty;

public sealed class McDropoutTests
{
    private static Sequential Mlp(double p, double weightNoise = 0) => new(
        new Dense(6, 24), new BatchNorm(24), new ReLU(), new Dropout(p),
        new Dense(24, 24, weightNoise: weightNoise), new ReLU(), new Dropout(p), new Dense(24, 3));

    private static readonly Dataset Train = Blobs.Make(240, 6, 3, separation: 1.0, seed: 3);
    private static readonly Dataset Test = Blobs.Make(60, 6, 3, separation: 1.0, seed: 4);

    /// <summary>A session trained for a few epochs, so BatchNorm's running statistics are far from (0, 1).</summary>
    private static TrainingSession<float> Trained(CpuBackend<float> cpu, double p, double weightNoise = 0)
    {
        var session = Mlp(p, weightNoise).Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 11);
        session.Fit(Train, epochs: 3, options: new FitOptions(BatchSize: 32));
        return session;
    }

    private static double[] HostSoftmax(float[] logits, int classes)
    {
        var p = new double[logits.Length];
        for (int r = 0; r < logits.Length / classes; r++)
        {
            var row = logits.AsSpan(r * classes, classes);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float v in row) max = Math.Max(max, v);
            for (int c = 0; c < classes; c++) sum += p[r * classes + c] = Math.Exp(row[c] - max);
            for (int c = 0; c < classes; c++) p[r * classes + c] /= sum;
        }
        return p;
    }

    [Test]
    public void WithoutDropoutEverySampleIsTheDeterministicPrediction()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu, p: 0);
        var mc = session.PredictWithUncertainty(Test, samples: 7, batchSize: 256);
        var probabilities = session.PredictProbabilities(Test, batchSize: 256);
        Assert.That((mc.Rows, mc.Classes, mc.Samples), Is.EqualTo((60, 3, 7)));
        Assert.That(mc.StandardDeviation, Is.All.EqualTo(0f), "identical passes have a standard deviation of exactly 0");
        Assert.That(mc.Mean, Is.EqualTo(probabilities), "the mean of identical passes is their value, bit for bit");
        var softmax = HostSoftmax(session.Predict(Test), 3);
        for (int i = 0; i < softmax.Length; i++) Assert.That(probabilities[i], Is.EqualTo(softmax[i]).Within(2e-7), $"element {i}");
        for (int r = 0; r < mc.Rows; r++) Assert.That(mc.Mean.AsSpan(r * 3, 3).ToArray().Sum(), Is.EqualTo(1).Within(1e-6));
    }

    /// <summary>
    /// The Monte Carlo mean converges to E_mask[softmax(f(x; mask))] at the rate σ/√k, and that limit differs from
    /// the deterministic (weight-scaled) prediction softmax(f(x; E[mask])) only by the small Jensen gap of the
    /// nonlinearity. Bounds checked (σ = RMS of the per-element standard deviations of a 4096-pass reference):
    /// rms(mean_k − mean_4096) ≤ 1.5·σ/√k (measured 0.8–0.95·σ/√k); rms(mean_k − deterministic) ≤ gap + 1.5·σ/√k
    /// and shrinks from k = 4 to k = 256; gap = rms(mean_4096 − deterministic) ≤ 0.03 for p = 0.1 (measured 0.012).
    /// </summary>
    [Test]
    public void DropoutSpreadsThePassesAndTheMeanConvergesAsSamplesGrow()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu, p: 0.1);
        var deterministic = session.PredictProbabilities(Test);
        var reference = session.PredictWithUncertainty(Test, samples: 4096);
        Assert.That(reference.StandardDeviation.Count(s => s > 1e-4f), Is.GreaterThan(reference.StandardDeviation.Length * 3 / 4),
            "dropout makes most probabilities vary between passes");
        double sigma = Math.Sqrt(reference.StandardDeviation.Average(s => (double)s * s));
        double gap = RootMeanSquare(reference.Mean, deterministic);
        Assert.That(gap, Is.LessThan(0.03));
        var errors = new List<double>();
        foreach (int k in new[] { 4, 16, 64, 256 })
        {
            var mc = session.PredictWithUncertainty(Test, samples: k);
            Assert.That(mc.StandardDeviation.Max(), Is.GreaterThan(0f));
            Assert.That(RootMeanSquare(mc.Mean, reference.Mean), Is.LessThanOrEqualTo(1.5 * sigma / Math.Sqrt(k)), $"k = {k}");
            errors.Add(RootMeanSquare(mc.Mean, deterministic));
            Assert.That(errors[^1], Is.LessThanOrEqualTo(gap + 1.5 * sigma / Math.Sqrt(k)), $"k = {k}");
        }
        Assert.That(errors[^1], Is.LessThan(errors[0] / 2), "256 passes are much closer to the deterministic prediction than 4");
    }

    [Test]
    public void SamplingIsDeterministicAndLeavesTheTrainingStateAlone()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu, p: 0.3);
        using var twin = Trained(cpu, p: 0.3);
        var counters = session.Network.Layers.SelectMany(l => l.Counters).ToArray();
        var buffers = cpu.ToArray(session.Network.Buffers!);
        var first = session.PredictWithUncertainty(Test, samples: 9, batchSize: 16);
        var second = session.PredictWithUncertainty(Test, samples: 9, batchSize: 16);
        Assert.That(second.Mean, Is.EqualTo(first.Mean));
        Assert.That(second.StandardDeviation, Is.EqualTo(first.StandardDeviation));
        Assert.That(session.Network.Layers.SelectMany(l => l.Counters), Is.EqualTo(counters), "dropout call counts untouched");
        Assert.That(cpu.ToArray(session.Network.Buffers!), Is.EqualTo(buffers), "running statistics untouched");
        // A later Fit continues exactly as if no sampling had happened.
        session.Fit(Train, epochs: 1, options: new FitOptions(BatchSize: 32));
        twin.Fit(Train, epochs: 1, options: new FitOptions(BatchSize: 32));
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.EqualTo(cpu.ToArray(twin.Network.Parameters)));
        Assert.That(session.PredictWithUncertainty(Test, samples: 9, batchSize: 16).Mean, Is.Not.EqualTo(first.Mean));
    }

    [Test]
    public void SamplingDrawsFromStreamsDisjointFromTraining()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu, p: 0.5);
        // Layer 3 (the first Dropout) trains on offsets 3·2⁴⁰ + call; draw d samples offset 2⁶³ + 3·2⁴⁰ + d.
        using var x = cpu.FromArray(Enumerable.Repeat(1f, 4 * 24).ToArray(), 4, 24);
        using var training = cpu.Allocate<float>(4, 24);
        using var expected = cpu.Allocate<float>(4, 24);
        using var sampled = cpu.Allocate<float>(4, 24);
        cpu.DropoutForward(training, x, 0.5, 11, 3UL << 40);
        cpu.DropoutForward(expected, x, 0.5, 11, (1UL << 63) | (3UL << 40) + 5);
        session.Network.Layers[3].ForwardSample(x, sampled, draw: 5);
        Assert.That(cpu.ToArray(sampled), Is.EqualTo(cpu.ToArray(expected)));
        Assert.That(cpu.ToArray(sampled), Is.Not.EqualTo(cpu.ToArray(training)));
        Assert.That(cpu.ToArray(sampled).Count(v => v == 0), Is.InRange(20, 76), "about half of 96 dropped");
    }

    [Test]
    public void DenseWeightNoiseAlsoSamples()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Trained(cpu, p: 0, weightNoise: 0.2);
        var mc = session.PredictWithUncertainty(Test, samples: 16);
        Assert.That(mc.StandardDeviation.Count(s => s > 0), Is.GreaterThan(mc.StandardDeviation.Length / 2));
    }

    [Test]
    public void DoublePrecisionSessionsGiveTheSamePredictionInFloat64()
    {
        using var cpu = new CpuBackend<double>();
        using var session = Mlp(0).Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 11);
        session.Fit(Train, epochs: 1, options: new FitOptions(BatchSize: 32));
        var mc = session.PredictWithUncertainty(Test, samples: 3, batchSize: 25);
        var softmax = HostSoftmax(session.Predict(Test), 3);
        Assert.That(mc.StandardDeviation, Is.All.EqualTo(0f));
        for (int i = 0; i < softmax.Length; i++) Assert.That(mc.Mean[i], Is.EqualTo(softmax[i]).Within(1e-6), $"element {i}");
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp(0.2).Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => session.PredictWithUncertainty(Test, samples: 0))!;
        Assert.That(e.Message, Does.Contain("PredictWithUncertainty").And.Contain("samples"));
        var bad = Assert.Throws<ArgumentException>(() => session.PredictWithUncertainty(new float[7], samples: 2))!;
        Assert.That(bad.Message, Does.Contain("PredictWithUncertainty").And.Contain("input"));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.PredictProbabilities(Test, batchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UncertainPrediction([], [], 0, 3, 1).PredictedClass(0));
    }

    private static double RootMeanSquare(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average());
}
