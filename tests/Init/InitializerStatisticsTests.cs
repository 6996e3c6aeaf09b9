using NUnit.Framework;

namespace CudaNet.Tests.Init;

/// <summary>
/// Each initialiser's sample mean and variance over 2²⁰ values against its formula (PyTorch's torch.nn.init), the
/// uniform bounds, the normal/uniform shape, and the gain table.
/// </summary>
/// <remarks>
/// Statistical bound: 5 standard errors. For n values with variance σ² and fourth central moment μ₄, the sample
/// mean has variance σ²/n and the sample variance s² has variance (μ₄ - σ⁴)/n + O(1/n²): 2σ⁴/n for a normal
/// (μ₄ = 3σ⁴) and 0.8σ⁴/n for a uniform U(-a, a) (σ² = a²/3, μ₄ = a⁴/5). A correct sampler fails one check with
/// probability about 6e-7; the seeds are fixed, so the tests are deterministic.
/// </remarks>
public sealed class InitializerStatisticsTests
{
    private const int N = 1 << 20, FanIn = 300, FanOut = 100;
    private const double Sigmas = 5;

    /// <summary>The distribution family of an initialiser.</summary>
    public enum Shape { Uniform, Normal }

    private static IEnumerable<TestCaseData> Cases()
    {
        double kaimingReLU = 2.0 / FanIn, leaky = Gain.For(Nonlinearity.LeakyReLU, 0.2);
        yield return Case("Uniform(-2, 3)", Initializer.Uniform(-2, 3), Shape.Uniform, 0.5, 25.0 / 12);
        yield return Case("Normal(1.5, 0.5)", Initializer.Normal(1.5, 0.5), Shape.Normal, 1.5, 0.25);
        yield return Case("XavierUniform", Initializer.XavierUniform(), Shape.Uniform, 0, 2.0 / (FanIn + FanOut));
        yield return Case("XavierUniform(tanh)", Initializer.XavierUniform(Gain.For(Nonlinearity.Tanh)), Shape.Uniform, 0,
            25.0 / 9 * 2.0 / (FanIn + FanOut));
        yield return Case("XavierNormal", Initializer.XavierNormal(), Shape.Normal, 0, 2.0 / (FanIn + FanOut));
        yield return Case("KaimingUniform(relu)", Initializer.KaimingUniform(nonlinearity: Nonlinearity.ReLU), Shape.Uniform, 0, kaimingReLU);
        yield return Case("KaimingUniform(default)", Initializer.KaimingUniform(), Shape.Uniform, 0, kaimingReLU);
        yield return Case("KaimingNormal(relu)", Initializer.KaimingNormal(nonlinearity: Nonlinearity.ReLU), Shape.Normal, 0, kaimingReLU);
        yield return Case("KaimingNormal(leaky 0.2, fan_out)", Initializer.KaimingNormal(0.2, FanMode.FanOut), Shape.Normal, 0,
            leaky * leaky / FanOut);
        yield return Case("KaimingUniform(fan_out)", Initializer.KaimingUniform(mode: FanMode.FanOut, nonlinearity: Nonlinearity.ReLU),
            Shape.Uniform, 0, 2.0 / FanOut);
        yield return Case("LeCunUniform", Initializer.LeCunUniform, Shape.Uniform, 0, 1.0 / FanIn);
        yield return Case("LeCunNormal", Initializer.LeCunNormal, Shape.Normal, 0, 1.0 / FanIn);
        yield return Case("LinearWeightDefault", Initializer.LinearWeightDefault, Shape.Uniform, 0, 1.0 / (3 * FanIn));
        yield return Case("LinearBiasDefault", Initializer.LinearBiasDefault, Shape.Uniform, 0, 1.0 / (3 * FanIn));

        static TestCaseData Case(string name, Initializer init, Shape shape, double mean, double variance) =>
            new TestCaseData(init, shape, mean, variance).SetArgDisplayNames(name);
    }

    private static double[] Sample(Initializer init, ulong seed = 1234)
    {
        var values = new double[N];
        init.Sample(values, FanIn, FanOut, new HostRandom(seed, stream: 7));
        return values;
    }

    [TestCaseSource(nameof(Cases))]
    public void MeanAndVarianceMatchTheFormula(Initializer init, Shape shape, double mean, double variance)
    {
        var values = Sample(init);
        double sampleMean = values.Average();
        double sampleVariance = values.Sum(v => (v - sampleMean) * (v - sampleMean)) / (N - 1);
        double meanError = Math.Sqrt(variance / N);
        double varianceError = Math.Sqrt((shape == Shape.Normal ? 2.0 : 0.8) * variance * variance / N);
        Assert.That(sampleMean, Is.EqualTo(mean).Within(Sigmas * meanError), "mean");
        Assert.That(sampleVariance, Is.EqualTo(variance).Within(Sigmas * varianceError), "variance");

        // The shape: a uniform stays within √3σ of its mean; a normal puts 4.550% of its mass beyond 2σ.
        double sigma = Math.Sqrt(variance);
        if (shape == Shape.Uniform)
        {
            Assert.That(values.Max(v => Math.Abs(v - mean)), Is.LessThanOrEqualTo(Math.Sqrt(3) * sigma * (1 + 1e-12)));
        }
        else
        {
            const double tail = 0.0455002638963584; // P(|Z| > 2)
            double fraction = values.Count(v => Math.Abs(v - mean) > 2 * sigma) / (double)N;
            Assert.That(fraction, Is.EqualTo(tail).Within(Sigmas * Math.Sqrt(tail * (1 - tail) / N)), "tail mass beyond 2σ");
        }
    }

    [Test]
    public void LinearDefaultsSpanPlusMinusOneOverRootFanIn()
    {
        // PyTorch's nn.Linear: kaiming_uniform(a = √5) gives bound gain·√(3/fan_in) = √(2/6)·√(3/fan_in) = 1/√fan_in.
        double bound = 1 / Math.Sqrt(FanIn);
        foreach (var init in new[] { Initializer.LinearWeightDefault, Initializer.LinearBiasDefault })
        {
            var values = Sample(init);
            // With 2²⁰ draws the extremes reach within 1e-4·bound of ±bound unless P < (1 - 5e-5)^(2²⁰) ≈ e^-52.
            Assert.That(values.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(bound * (1 - 1e-4)));
            Assert.That(values.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-bound * (1 - 1e-4)));
        }
    }

    [Test]
    public void ConstantsAreExact()
    {
        Assert.That(Sample(Initializer.Zeros), Is.All.EqualTo(0.0));
        Assert.That(Sample(Initializer.Ones), Is.All.EqualTo(1.0));
        Assert.That(Sample(Initializer.Constant(-0.375)), Is.All.EqualTo(-0.375));
    }

    [Test]
    public void SamplingIsDeterministicPerSeed()
    {
        var init = Initializer.KaimingNormal();
        Assert.That(Sample(init, seed: 5), Is.EqualTo(Sample(init, seed: 5)));
        Assert.That(Sample(init, seed: 5).Take(8), Is.Not.EqualTo(Sample(init, seed: 6).Take(8)));
    }

    [Test]
    public void GainTableIsPyTorchs()
    {
        Assert.That(Gain.For(Nonlinearity.Linear), Is.EqualTo(1.0));
        Assert.That(Gain.For(Nonlinearity.Sigmoid), Is.EqualTo(1.0));
        Assert.That(Gain.For(Nonlinearity.Tanh), Is.EqualTo(5.0 / 3.0));
        Assert.That(Gain.For(Nonlinearity.ReLU), Is.EqualTo(Math.Sqrt(2.0)));
        Assert.That(Gain.For(Nonlinearity.Selu), Is.EqualTo(0.75));
        // torch.nn.init.calculate_gain('leaky_relu') uses slope 0.01: √(2/1.0001).
        Assert.That(Gain.For(Nonlinearity.LeakyReLU), Is.EqualTo(1.4141428569978354).Within(1e-15));
        Assert.That(Gain.For(Nonlinearity.LeakyReLU, Math.Sqrt(5)), Is.EqualTo(Math.Sqrt(1.0 / 3.0)).Within(1e-15));
        Assert.That(Gain.For(Nonlinearity.LeakyReLU, 0), Is.EqualTo(Math.Sqrt(2.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gain.For(Nonlinearity.LeakyReLU, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gain.For((Nonlinearity)42));
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.Normal(std: -1))!;
        Assert.That((e.ParamName, e.Message.Contains("Initializer")), Is.EqualTo(("std", true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.Uniform(2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.Constant(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.XavierNormal(-1));
        Assert.Throws<ArgumentException>(() => Initializer.XavierUniform().Sample(new double[4], 0, 3, new HostRandom(1, 1)));
    }
}
