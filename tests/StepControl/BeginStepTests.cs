using System.Numerics;
using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.StepControl;

/// <summary>
/// BeginStep against closed-form cases: the finite / clipped / skipped decision, the counters, and the records, which
/// must be the host-scalar coefficients of the same (lr, t) bit for bit.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public sealed class BeginStepTests<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Width = StepControl<float>.RecordWidth;
    private static readonly UpdatePlan AdamPlan = new(new AdamSettings(Beta1: 0.8), [new GroupPenalties(L2: 0.01), new GroupPenalties(WeightDecay: 0.1)]);

    private CpuBackend<T> _cpu = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _cpu = new CpuBackend<T>(CpuKernels.Reference);

    [OneTimeTearDown]
    public void DisposeBackend() => _cpu.Dispose();

    /// <summary>Runs BeginStep once with ‖g‖² and the loss given.</summary>
    private (StepCounters Counters, T[] Records, double[] State) Begin(StepControl<T> control, double squaredNorm, double loss)
    {
        using var norm = _cpu.FromArray(new[] { T.CreateTruncating(squaredNorm) });
        using var value = _cpu.FromArray(new[] { T.CreateTruncating(loss) });
        _cpu.BeginStep(control, norm, value);
        return (control.ReadCounters(), _cpu.ToArray(control.Records), _cpu.ToArray(control.State));
    }

    private static T[] Expected(T factor, params AdamCoefficients<T>[] groups)
    {
        var records = new T[groups.Length * Width];
        for (int g = 0; g < groups.Length; g++) StepRecord<T>.Write(records.AsSpan(g * Width, Width), factor, groups[g]);
        return records;
    }

    [Test]
    public void AFiniteStepAppliesWithFactorOneAndTheHostCoefficients()
    {
        using var control = new StepControl<T>(_cpu, AdamPlan, 4);
        control.StartEpoch([0.01, 0.02], step: 6, muProduct: 1);
        var (counters, records, state) = Begin(control, squaredNorm: 4, loss: 0.5);
        Assert.That(counters, Is.EqualTo(new StepCounters(1, 7, 0, 1)));
        var settings = (AdamSettings)AdamPlan.Settings;
        Assert.That(records, Is.EqualTo(Expected(T.One,
            AdamCoefficients<T>.From(settings, new UpdateStep(0.01, 7, L2: 0.01)),
            AdamCoefficients<T>.From(settings, new UpdateStep(0.01, 7, WeightDecay: 0.1)))));
        Assert.That((state[StepControl<T>.Applies], state[StepControl<T>.Factor]), Is.EqualTo((1.0, 1.0)));
        // The second attempt takes the second learning rate.
        (counters, records, _) = Begin(control, squaredNorm: 1, loss: 0.25);
        Assert.That(counters, Is.EqualTo(new StepCounters(2, 8, 0, 1)));
        Assert.That(records.AsSpan(0, Width).ToArray(), Is.EqualTo(Expected(T.One, AdamCoefficients<T>.From(settings, new UpdateStep(0.02, 8, L2: 0.01)))));
    }

    [TestCase(100.0, 1.0, 1 / (10 + 1e-6))]
    [TestCase(100.0, 9.99, 9.99 / (10 + 1e-6))]
    [TestCase(100.0, 10.0, 1.0)]
    [TestCase(100.0, 11.0, 1.0)]
    [TestCase(0.0, 1.0, 1.0)]
    public void ClippingFollowsPyTorchsClipGradNorm(double squaredNorm, double max, double factor)
    {
        using var control = new StepControl<T>(_cpu, AdamPlan with { MaxGradNorm = max }, 1);
        control.StartEpoch([0.01], 0, 1);
        var (counters, records, state) = Begin(control, squaredNorm, loss: 1);
        Assert.That(counters.Step, Is.EqualTo(1));
        Assert.That(records[StepRecord<T>.Factor], Is.EqualTo(T.CreateTruncating(factor)));
        Assert.That(records[Width + StepRecord<T>.Factor], Is.EqualTo(T.CreateTruncating(factor)), "every group shares the factor");
        Assert.That(state[StepControl<T>.Factor], Is.EqualTo(double.CreateTruncating(T.CreateTruncating(factor))));
    }

    [TestCase(1.0, double.NaN)]
    [TestCase(1.0, double.PositiveInfinity)]
    [TestCase(double.PositiveInfinity, 1.0)]
    [TestCase(double.NaN, 1.0)]
    public void ANonFiniteLossOrGradientSkipsWithoutCountingAStep(double squaredNorm, double loss)
    {
        using var control = new StepControl<T>(_cpu, AdamPlan, 3);
        control.StartEpoch([0.01, 0.01, 0.01], step: 2, muProduct: 1);
        Begin(control, 1, 1);
        var (counters, records, state) = Begin(control, squaredNorm, loss);
        Assert.That(counters, Is.EqualTo(new StepCounters(2, 3, 1, 1)));
        Assert.That((records[StepRecord<T>.Applies], records[Width + StepRecord<T>.Applies]), Is.EqualTo((T.Zero, T.Zero)));
        Assert.That(state[StepControl<T>.Applies], Is.Zero);
        // The next finite step continues from step 3 and the third learning rate.
        (counters, records, _) = Begin(control, 1, 1);
        Assert.That(counters, Is.EqualTo(new StepCounters(3, 4, 1, 1)));
        Assert.That(records[StepRecord<T>.Applies], Is.EqualTo(T.One));
    }

    [Test]
    public void NadamsProductAdvancesOnAppliedStepsOnly()
    {
        var settings = new NadamSettings(MomentumDecay: 0.1);
        using var control = new StepControl<T>(_cpu, new UpdatePlan(settings, [new GroupPenalties()]), 4);
        control.StartEpoch([0.002, 0.002, 0.002, 0.002], step: 0, muProduct: 1);
        Begin(control, 1, 1);
        Begin(control, 1, double.NaN);
        var (counters, records, _) = Begin(control, 1, 1);
        double product = settings.Mu(1) * settings.Mu(2);
        Assert.That(counters, Is.EqualTo(new StepCounters(3, 2, 1, product)));
        Assert.That(product, Is.EqualTo(settings.MuProduct(2)));
        var expected = new T[Width];
        StepRecord<T>.Write(expected, T.One, NadamCoefficients<T>.From(settings, new UpdateStep(0.002, 2), product));
        Assert.That(records, Is.EqualTo(expected));
    }

    [Test]
    public void KerasAdamDividesEpsByTheRootOfTheSecondBiasCorrection()
    {
        var settings = new AdamSettings(Eps: 1e-7);
        using var control = new StepControl<T>(_cpu, new UpdatePlan(settings, [new GroupPenalties()], EpsOverBiasCorrection: true), 1);
        control.StartEpoch([1e-3], step: 4, muProduct: 1);
        var (_, records, _) = Begin(control, 1, 1);
        var keras = settings with { Eps = 1e-7 / Math.Sqrt(1 - Math.Pow(0.999, 5)) };
        Assert.That(records, Is.EqualTo(Expected(T.One, AdamCoefficients<T>.From(keras, new UpdateStep(1e-3, 5)))));
    }

    [Test]
    public void SgdMarksOnlyTheFirstAppliedStep()
    {
        using var control = new StepControl<T>(_cpu, new UpdatePlan(new SgdSettings(Momentum: 0.9), [new GroupPenalties()]), 3);
        control.StartEpoch([0.1, 0.1, 0.1], step: 0, muProduct: 1);
        var (_, skipped, _) = Begin(control, double.NaN, 1);
        var (_, first, _) = Begin(control, 1, 1);
        var (_, second, _) = Begin(control, 1, 1);
        Assert.That(skipped[StepRecord<T>.Applies], Is.EqualTo(T.Zero));
        Assert.That((first[StepRecord<T>.Own + 3], second[StepRecord<T>.Own + 3]), Is.EqualTo((T.One, T.Zero)));
    }

    [Test]
    public void MoreStepsThanLearningRatesApplyNothingAndAreReported()
    {
        using var control = new StepControl<T>(_cpu, AdamPlan, 2);
        control.StartEpoch([0.01], 0, 1);
        Begin(control, 1, 1);
        using var norm = _cpu.FromArray(new[] { T.One });
        _cpu.BeginStep(control, norm, norm);
        Assert.That(_cpu.ToArray(control.Records)[StepRecord<T>.Applies], Is.EqualTo(T.Zero));
        Assert.Throws<InvalidOperationException>(() => control.ReadCounters());
    }

    [Test]
    public void BadCallsAreRejectedBeforeAnythingChanges()
    {
        using var control = new StepControl<T>(_cpu, AdamPlan, 1);
        using var pair = _cpu.FromArray(new[] { T.One, T.One });
        using var one = _cpu.FromArray(new[] { T.One });
        Assert.That(() => _cpu.BeginStep(control, pair, one), Throws.ArgumentException.With.Message.Contains("BeginStep: argument 'squaredNorm'"));
        Assert.That(() => _cpu.BeginStep(null!, one, one), Throws.ArgumentNullException);
        Assert.That(control.ReadCounters().Attempts, Is.Zero);
        Assert.That(() => new StepControl<T>(_cpu, AdamPlan with { MaxGradNorm = 0 }, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new StepControl<T>(_cpu, new UpdatePlan("Adam", []), 1), Throws.ArgumentException);
        Assert.That(() => new StepControl<T>(_cpu, new UpdatePlan(new AdamSettings(Beta1: 1), []), 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("betas in [0, 1)"));
        Assert.That(() => new StepControl<T>(_cpu, new UpdatePlan(new SgdSettings(Nesterov: true), []), 1),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("Nesterov"));
        Assert.That(() => new StepControl<T>(_cpu, new UpdatePlan(new SgdSettings(), []) with { EpsOverBiasCorrection = true }, 1),
            Throws.ArgumentException);
        Assert.That(() => control.StartEpoch([0.1, 0.1], 0, 1), Throws.ArgumentException);
        using var other = new CpuBackend<T>();
        Assert.That(() => other.BeginStep(control, one, one), Throws.ArgumentException.With.Message.Contains("another backend"));
    }
}
