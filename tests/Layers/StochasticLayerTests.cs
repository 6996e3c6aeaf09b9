using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Layers;

/// <summary>GaussianNoise and DropConnect: training draws, evaluation rules, counters.</summary>
public sealed class StochasticLayerTests
{
    private static double[] Inputs(int count, int seed = 5)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => 2 * random.NextDouble() - 1).ToArray();
    }

    [Test]
    public void GaussianNoiseAddsFreshNoiseInTrainingOnly()
    {
        using var backend = new CpuBackend<double>();
        using var h = new LayerHarness<double>(backend, new GaussianNoise(0.5), 100);
        var x = Inputs(4000);
        Assert.That(h.Forward(x, training: false), Is.EqualTo(x), "identity in evaluation");
        var (y, dx) = h.Run(x, training: true, dy: x);
        Assert.That(dx, Is.EqualTo(x), "dx = dy");
        var noise = y.Zip(x, (a, b) => a - b).ToArray();
        double mean = noise.Average(), std = Math.Sqrt(noise.Select(v => (v - mean) * (v - mean)).Average());
        // 4000 draws: the mean's standard error is 0.5/√4000 ≈ 0.008, the std's ≈ 0.0056.
        Assert.That(mean, Is.EqualTo(0).Within(0.04));
        Assert.That(std, Is.EqualTo(0.5).Within(0.03));
        Assert.That(h.Runtime.Counters.Single(), Is.EqualTo(new LayerCounter("rng_calls", 1, false)));
        Assert.That(h.Forward(x, training: true), Is.Not.EqualTo(y), "a new draw each step");
        h.Runtime.SetCounter("rng_calls", 0);
        Assert.That(h.Forward(x, training: true), Is.EqualTo(y), "the counter reproduces a draw");
        Assert.Throws<ArgumentException>(() => h.Runtime.SetCounter("calls", 0));
    }

    [Test]
    public void DropConnectTrainingMasksWeightsUnscaled()
    {
        using var backend = new CpuBackend<double>();
        const int inputs = 40, outputs = 30, rows = 3;
        const double p = 0.3;
        using var h = new LayerHarness<double>(backend, new DropConnect(inputs, outputs, p, activation: Activation.Identity), inputs, seed: 9);
        var x = Inputs(rows * inputs);
        var y = h.Forward(x, training: true);
        // The same mask, regenerated from the layer's first Philox offset (index 1: base 2⁴⁰).
        using var w = backend.FromArray(h.Value("weight"), outputs, inputs);
        using var masked = backend.Allocate<double>(outputs, inputs);
        backend.DropConnectMask(masked, w, p, 9, 1UL << 40);
        var wm = backend.ToArray(masked);
        var b = h.Value("bias");
        double dropped = wm.Count(v => v == 0) / (double)wm.Length;
        Assert.That(dropped, Is.EqualTo(p).Within(0.06), "fraction of dropped weights (1200 weights: sd 0.013)");
        Assert.That(wm.Where(v => v != 0), Is.SubsetOf(h.Value("weight")), "kept weights are not rescaled");
        Close.All<double>(y, Affine(x, wm, b, rows, inputs, outputs, scale: 1), 1e-12, 1e-12);
    }

    [Test]
    public void DropConnectWeightScalingInferenceUsesExpectedWeights()
    {
        using var backend = new CpuBackend<double>();
        const int inputs = 7, outputs = 5, rows = 4;
        using var h = new LayerHarness<double>(backend, new DropConnect(inputs, outputs, 0.4), inputs);
        var x = Inputs(rows * inputs);
        var expected = Affine(x, h.Value("weight"), h.Value("bias"), rows, inputs, outputs, scale: 0.6).Select(v => Math.Max(v, 0)).ToArray();
        Close.All<double>(h.Forward(x, training: false), expected, 1e-12, 1e-12);
        Assert.That(h.Runtime.Counters.Single().Value, Is.Zero, "evaluation draws nothing");
    }

    private static double[] Affine(double[] x, double[] w, double[] b, int rows, int inputs, int outputs, double scale)
    {
        var y = new double[rows * outputs];
        for (int n = 0; n < rows; n++)
            for (int o = 0; o < outputs; o++)
            {
                double sum = 0;
                for (int i = 0; i < inputs; i++) sum += x[n * inputs + i] * w[o * inputs + i];
                y[n * outputs + o] = scale * sum + b[o];
            }
        return y;
    }
}
