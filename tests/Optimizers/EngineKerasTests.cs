using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// <see cref="OptimizerConvention.Keras"/> against a numpy re-implementation of Keras 3's update steps
/// (tests/golden/keras_optimizers.py): Adam's eps on √v rather than √v̂, Adagrad's eps inside the root, Keras
/// defaults and decoupled weight decay on the weights only.
/// </summary>
[TestFixture]
public sealed class EngineKerasTests
{
    // float64. The Keras form is reached by algebra (Adam: eps/√bc₂ in PyTorch's update; Adagrad: eps folded into the
    // accumulator), so it rounds differently from Keras' operation order: a few ulps per step over 10 steps.
    private const double Rtol = 1e-12, Atol = 1e-15;

    private static readonly Dictionary<string, Func<Optimizer>> Optimizers = new()
    {
        ["AdamDefaults"] = () => Adam.Keras(),
        ["AdamLargeEps"] = () => Adam.Keras(lr: 0.1, eps: 0.1),
        ["AmsGrad"] = () => Adam.Keras(lr: 0.1, eps: 0.1, amsgrad: true),
        ["AdamDecay"] = () => Adam.Keras(lr: 0.1, weightDecay: 0.05),
        ["AdamWDefaults"] = () => AdamW.Keras(),
        ["AdagradDefaults"] = () => Adagrad.Keras(),
        ["AdagradLargeEps"] = () => Adagrad.Keras(lr: 0.1, initialAccumulatorValue: 0, eps: 0.5),
        ["AdagradDecay"] = () => Adagrad.Keras(lr: 0.1, weightDecay: 0.05),
        ["AdadeltaDefaults"] = () => Adadelta.Keras(),
        ["AdadeltaDecay"] = () => Adadelta.Keras(lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0.05),
    };

    private static IEnumerable<TestCaseData> Cases() =>
        from name in Optimizers.Keys
        from kernels in new[] { CpuKernels.Reference, CpuKernels.Simd }
        select new TestCaseData(name, kernels).SetArgDisplayNames(name, kernels.ToString());

    private static double[] Run(Optimizer optimizer, CpuKernels kernels = CpuKernels.Simd)
    {
        using var rig = new EngineDenseRig(optimizer, EngineKerasGolden.Weight, EngineKerasGolden.Bias, kernels);
        for (int t = 1; t <= 10; t++) rig.Step(t, EngineKerasGolden.WeightGradients[t - 1], EngineKerasGolden.BiasGradients[t - 1]);
        return rig.Values;
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesKeras(string name, CpuKernels kernels) =>
        Close.All<double>(Run(Optimizers[name](), kernels), EngineKerasGolden.After10[name], Rtol, Atol, name);

    [Test]
    public void TheConventionChangesTheTrajectory()
    {
        // Same hyperparameters, PyTorch's formulas: eps lands elsewhere, so the results move by far more than Rtol.
        var pyTorch = Run(new Adam(lr: 0.1, eps: 0.1));
        var keras = EngineKerasGolden.After10["AdamLargeEps"];
        Assert.That(pyTorch.Zip(keras, (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-3));
        var adagrad = Run(new Adagrad(lr: 0.1, initialAccumulatorValue: 0, eps: 0.5));
        Assert.That(adagrad.Zip(EngineKerasGolden.After10["AdagradLargeEps"], (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-3));
    }

    [Test]
    public void KerasFactoriesUseKerasDefaults()
    {
        var adam = Adam.Keras();
        Assert.That((adam.LearningRate, adam.Settings.Eps, adam.WeightDecay, adam.Convention),
            Is.EqualTo((1e-3, 1e-7, 0.0, OptimizerConvention.Keras)));
        var adamW = AdamW.Keras();
        Assert.That((adamW.WeightDecay, adamW.Settings.Eps, adamW.Convention), Is.EqualTo((4e-3, 1e-7, OptimizerConvention.Keras)));
        var adagrad = Adagrad.Keras();
        Assert.That((adagrad.LearningRate, adagrad.InitialAccumulatorValue, adagrad.Settings.Eps), Is.EqualTo((1e-3, 0.1, 1e-7)));
        var adadelta = Adadelta.Keras();
        Assert.That((adadelta.LearningRate, adadelta.Settings.Rho, adadelta.Settings.Eps), Is.EqualTo((1e-3, 0.95, 1e-7)));
        Assert.That(new Adam().Convention, Is.EqualTo(OptimizerConvention.PyTorch));
    }

    [Test]
    public void UnknownConventionsAreRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Adagrad(convention: (OptimizerConvention)7))!;
        Assert.That(e.ParamName, Is.EqualTo("convention"));
        Assert.That(e.Message, Does.Contain("Adagrad"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Adadelta(convention: (OptimizerConvention)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Adam(convention: (OptimizerConvention)7));
    }
}
