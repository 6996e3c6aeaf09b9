using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>The optimizer classes themselves: defaults, validation, decoupled decay, NAdam's carried μ product.</summary>
[TestFixture]
public sealed class EngineOptimizerClassTests
{
    private static readonly double[] Weight = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5], Bias = [0.1, -0.2];

    [Test]
    public void DefaultsArePyTorchs()
    {
        var adagrad = new Adagrad();
        Assert.That((adagrad.LearningRate, adagrad.Settings.LrDecay, adagrad.WeightDecay, adagrad.InitialAccumulatorValue, adagrad.Settings.Eps),
            Is.EqualTo((1e-2, 0.0, 0.0, 0.0, 1e-10)));
        var adadelta = new Adadelta();
        Assert.That((adadelta.LearningRate, adadelta.Settings.Rho, adadelta.Settings.Eps, adadelta.WeightDecay), Is.EqualTo((1.0, 0.9, 1e-6, 0.0)));
        var rmsProp = new RmsProp();
        Assert.That((rmsProp.LearningRate, rmsProp.Settings, rmsProp.WeightDecay), Is.EqualTo((1e-2, new RmsPropSettings(0.99, 1e-8), 0.0)));
        var adamax = new Adamax();
        Assert.That((adamax.LearningRate, adamax.Settings), Is.EqualTo((2e-3, new AdamaxSettings(0.9, 0.999, 1e-8))));
        var nadam = new NAdam();
        Assert.That((nadam.LearningRate, nadam.Settings), Is.EqualTo((2e-3, new NadamSettings(0.9, 0.999, 1e-8, 4e-3))));
    }

    private static IEnumerable<TestCaseData> BadArguments()
    {
        yield return Case("Adagrad", "learningRate", () => new Adagrad(lr: -1));
        yield return Case("Adagrad", "lrDecay", () => new Adagrad(lrDecay: -0.1));
        yield return Case("Adagrad", "weightDecay", () => new Adagrad(weightDecay: double.NaN));
        yield return Case("Adagrad", "initialAccumulatorValue", () => new Adagrad(initialAccumulatorValue: -1));
        yield return Case("Adagrad", "eps", () => new Adagrad(eps: double.PositiveInfinity));
        yield return Case("Adadelta", "rho", () => new Adadelta(rho: 1.5));
        yield return Case("Adadelta", "eps", () => new Adadelta(eps: -1e-6));
        yield return Case("Adadelta", "learningRate", () => new Adadelta(lr: double.NaN));
        yield return Case("RmsProp", "alpha", () => new RmsProp(alpha: -0.5));
        yield return Case("RmsProp", "eps", () => new RmsProp(eps: -1));
        yield return Case("RmsProp", "momentum", () => new RmsProp(momentum: -0.9));
        yield return Case("RmsProp", "nesterov", () => new RmsProp(nesterov: true));
        yield return Case("Adamax", "beta1", () => new Adamax(beta1: 1.0));
        yield return Case("Adamax", "beta2", () => new Adamax(beta2: -0.1));
        yield return Case("Adamax", "eps", () => new Adamax(eps: double.NaN));
        yield return Case("NAdam", "beta1", () => new NAdam(beta1: double.NaN));
        yield return Case("NAdam", "beta2", () => new NAdam(beta2: 1.0));
        yield return Case("NAdam", "eps", () => new NAdam(eps: -1));
        yield return Case("NAdam", "momentumDecay", () => new NAdam(momentumDecay: -4e-3));
        yield return Case("NAdam", "weightDecay", () => new NAdam(weightDecay: -1));

        static TestCaseData Case(string type, string argument, Func<Optimizer> create) =>
            new TestCaseData(type, argument, create).SetArgDisplayNames(type, argument);
    }

    [TestCaseSource(nameof(BadArguments))]
    public void BadHyperparametersNameTheClassAndArgument(string type, string argument, Func<Optimizer> create)
    {
        var e = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => create())!;
        Assert.That(((ArgumentException)e).ParamName, Is.EqualTo(argument));
        Assert.That(e.Message, Does.Contain(type));
    }

    [Test]
    public void AdagradFillsTheAccumulatorWithItsInitialValue()
    {
        using var rig = new EngineDenseRig(new Adagrad(initialAccumulatorValue: 0.375), Weight, Bias);
        var (name, sum) = rig.State.Tensors.Single();
        Assert.That(name, Is.EqualTo("sum"));
        Assert.That(rig.Network.Backend.ToArray(sum), Is.All.EqualTo(0.375));
    }

    [Test]
    public void StateTensorsFollowTheOptions()
    {
        Assert.That(Names(new RmsProp()), Is.EqualTo(new[] { "square_avg" }));
        Assert.That(Names(new RmsProp(momentum: 0.9, centered: true, nesterov: true)),
            Is.EqualTo(new[] { "square_avg", "grad_avg", "momentum_buffer" }));
        Assert.That(Names(new Adadelta()), Is.EqualTo(new[] { "square_avg", "acc_delta" }));
        Assert.That(Names(new Adamax()), Is.EqualTo(new[] { "exp_avg", "exp_inf" }));
        Assert.That(Names(new NAdam()), Is.EqualTo(new[] { "exp_avg", "exp_avg_sq" }));

        static string[] Names(Optimizer optimizer)
        {
            using var rig = new EngineDenseRig(optimizer, Weight, Bias);
            return rig.State.Tensors.Select(t => t.Name).ToArray();
        }
    }

    [Test]
    public void AdamWDecaysTheWeightButNotTheBias()
    {
        // With zero gradients Adam's moments stay 0 and its step is 0: only the decoupled decay θ *= 1 - lr·wd moves θ.
        using var rig = new EngineDenseRig(new AdamW(lr: 0.1, weightDecay: 0.5), Weight, Bias);
        rig.Step(1, new double[6], new double[2]);
        Assert.That(rig.Values, Is.EqualTo(Weight.Select(w => w * (1 - 0.1 * 0.5)).Concat(Bias)).Within(1e-15));
    }

    [Test]
    public void NAdamCarriesTheMuProductAndResumesExactly()
    {
        var settings = new NAdam().Settings;
        using var straight = new EngineDenseRig(new NAdam(lr: 0.05), Weight, Bias);
        using var first = new EngineDenseRig(new NAdam(lr: 0.05), Weight, Bias);
        for (int t = 1; t <= 10; t++)
        {
            straight.Step(t, Gradient(t, 6), Gradient(t, 2));
            if (t <= 4) first.Step(t, Gradient(t, 6), Gradient(t, 2));
        }
        Assert.That(first.State.Scalars["mu_product"], Is.EqualTo(settings.MuProduct(4)));
        Assert.That(first.State.Scalars["mu_product_step"], Is.EqualTo(4));

        using var resumed = new EngineDenseRig(new NAdam(lr: 0.05), Weight, Bias);
        resumed.RestoreFrom(first);
        for (int t = 5; t <= 10; t++) resumed.Step(t, Gradient(t, 6), Gradient(t, 2));
        Assert.That(resumed.Values, Is.EqualTo(straight.Values), "bit for bit");
        Assert.That(resumed.State.Scalars["mu_product"], Is.EqualTo(straight.State.Scalars["mu_product"]));

        // The restored scalar is what the update uses: a different product gives a different trajectory.
        using var tampered = new EngineDenseRig(new NAdam(lr: 0.05), Weight, Bias);
        tampered.RestoreFrom(first);
        tampered.State.SetScalar("mu_product", 0.5);
        for (int t = 5; t <= 10; t++) tampered.Step(t, Gradient(t, 6), Gradient(t, 2));
        Assert.That(tampered.Values, Is.Not.EqualTo(straight.Values));

        static double[] Gradient(int step, int length) =>
            Enumerable.Range(0, length).Select(i => Math.Sin(1.7 * step + 0.9 * i)).ToArray();
    }

    [Test]
    public void NAdamRejectsBadScalars()
    {
        using var rig = new EngineDenseRig(new NAdam(), Weight, Bias);
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.State.SetScalar("mu_product", 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.State.SetScalar("mu_product", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.State.SetScalar("mu_product_step", 2.5));
        var e = Assert.Throws<ArgumentException>(() => rig.State.SetScalar("momentum", 0.9))!;
        Assert.That(e.Message, Does.Contain("momentum"));
    }
}
