using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>Every optimizer op rejects wrong lengths, bad hyperparameters, a missing state and step 0 with an
/// <see cref="ArgumentException"/> naming the op and the argument.</summary>
[TestFixture]
public sealed class BadArgumentTests
{
    private CpuBackend<float> _backend = null!;
    private Tensor<float> _w = null!, _g = null!, _s1 = null!, _s2 = null!, _s3 = null!, _short = null!;

    [OneTimeSetUp]
    public void Allocate()
    {
        _backend = new CpuBackend<float>();
        Tensor<float> Make(int n) => _backend.FromArray(new float[n]);
        (_w, _g, _s1, _s2, _s3, _short) = (Make(5), Make(5), Make(5), Make(5), Make(5), Make(4));
    }

    [OneTimeTearDown]
    public void Release() => _backend.Dispose();

    private static readonly UpdateStep Good = new(0.01, 1);

    private static IEnumerable<TestCaseData> BadCalls()
    {
        var sgd = new SgdSettings(Momentum: 0.9);
        var adagrad = new AdagradSettings(LrDecay: 0);
        var adadelta = new AdadeltaSettings(Rho: 0.9);
        var rmsProp = new RmsPropSettings(Centered: false);
        var adam = new AdamSettings(Amsgrad: false);
        var adamax = new AdamaxSettings(Beta1: 0.9);
        var nadam = new NadamSettings(MomentumDecay: 4e-3);
        const double mu = 0.5;

        TestCaseData Case(string op, string argument, Action<BadArgumentTests> call, string what) =>
            new TestCaseData(op, argument, call).SetArgDisplayNames(op, what);

        // wrong lengths and missing state
        yield return Case("SgdUpdate", "gradients", t => t._backend.SgdUpdate(t._w, t._short, t._s1, sgd, Good), "short gradients");
        yield return Case("SgdUpdate", "momentumBuffer", t => t._backend.SgdUpdate(t._w, t._g, null, sgd, Good), "no buffer");
        yield return Case("AdagradUpdate", "sum", t => t._backend.AdagradUpdate(t._w, t._g, t._short, adagrad, Good), "short sum");
        yield return Case("AdadeltaUpdate", "accDelta", t => t._backend.AdadeltaUpdate(t._w, t._g, t._s1, t._short, adadelta, Good), "short accDelta");
        yield return Case("RmsPropUpdate", "gradAvg", t => t._backend.RmsPropUpdate(t._w, t._g, t._s1, null, null, rmsProp with { Centered = true }, Good), "centered without gradAvg");
        yield return Case("RmsPropUpdate", "momentumBuffer", t => t._backend.RmsPropUpdate(t._w, t._g, t._s1, null, null, rmsProp with { Momentum = 0.9 }, Good), "momentum without buffer");
        yield return Case("AdamUpdate", "maxExpAvgSq", t => t._backend.AdamUpdate(t._w, t._g, t._s1, t._s2, null, adam with { Amsgrad = true }, Good), "AMSGrad without max");
        yield return Case("AdamUpdate", "expAvgSq", t => t._backend.AdamUpdate(t._w, t._g, t._s1, t._short, null, adam, Good), "short expAvgSq");
        yield return Case("AdamaxUpdate", "gradients", t => t._backend.AdamaxUpdate(t._w, t._short, t._s1, t._s2, adamax, Good), "short gradients");
        yield return Case("NadamUpdate", "expAvg", t => t._backend.NadamUpdate(t._w, t._g, t._short, t._s2, nadam, Good, mu), "short expAvg");

        // hyperparameters
        yield return Case("SgdUpdate", "settings.Momentum", t => t._backend.SgdUpdate(t._w, t._g, t._s1, sgd with { Momentum = -0.1 }, Good), "negative momentum");
        yield return Case("SgdUpdate", "settings.Nesterov", t => t._backend.SgdUpdate(t._w, t._g, t._s1, sgd with { Nesterov = true, Dampening = 0.1 }, Good), "Nesterov with dampening");
        yield return Case("AdagradUpdate", "settings.LrDecay", t => t._backend.AdagradUpdate(t._w, t._g, t._s1, adagrad with { LrDecay = -1 }, Good), "negative lr decay");
        yield return Case("AdadeltaUpdate", "settings.Rho", t => t._backend.AdadeltaUpdate(t._w, t._g, t._s1, t._s2, adadelta with { Rho = 1.5 }, Good), "rho above 1");
        yield return Case("RmsPropUpdate", "settings.Alpha", t => t._backend.RmsPropUpdate(t._w, t._g, t._s1, null, null, rmsProp with { Alpha = -0.5 }, Good), "negative alpha");
        yield return Case("RmsPropUpdate", "settings.Nesterov", t => t._backend.RmsPropUpdate(t._w, t._g, t._s1, null, null, rmsProp with { Nesterov = true }, Good), "Nesterov without momentum");
        yield return Case("AdamUpdate", "settings.Beta1", t => t._backend.AdamUpdate(t._w, t._g, t._s1, t._s2, null, adam with { Beta1 = 1 }, Good), "beta1 of 1");
        yield return Case("AdamUpdate", "settings.Eps", t => t._backend.AdamUpdate(t._w, t._g, t._s1, t._s2, null, adam with { Eps = -1e-8 }, Good), "negative eps");
        yield return Case("AdamaxUpdate", "settings.Beta2", t => t._backend.AdamaxUpdate(t._w, t._g, t._s1, t._s2, adamax with { Beta2 = -0.1 }, Good), "negative beta2");
        yield return Case("NadamUpdate", "settings.MomentumDecay", t => t._backend.NadamUpdate(t._w, t._g, t._s1, t._s2, nadam with { MomentumDecay = -1 }, Good, mu), "negative momentum decay");
        yield return Case("NadamUpdate", "muProduct", t => t._backend.NadamUpdate(t._w, t._g, t._s1, t._s2, nadam, Good, 1.5), "mu product above 1");

        // the step: learning rate, count, penalties
        yield return Case("SgdUpdate", "step.LearningRate", t => t._backend.SgdUpdate(t._w, t._g, t._s1, sgd, Good with { LearningRate = -0.1 }), "negative lr");
        yield return Case("AdagradUpdate", "step.Step", t => t._backend.AdagradUpdate(t._w, t._g, t._s1, adagrad, Good with { Step = 0 }), "step 0");
        yield return Case("AdadeltaUpdate", "step.LearningRate", t => t._backend.AdadeltaUpdate(t._w, t._g, t._s1, t._s2, adadelta, Good with { LearningRate = double.NaN }), "NaN lr");
        yield return Case("RmsPropUpdate", "step.Step", t => t._backend.RmsPropUpdate(t._w, t._g, t._s1, null, null, rmsProp, Good with { Step = 0 }), "step 0");
        yield return Case("AdamUpdate", "step.WeightDecay", t => t._backend.AdamUpdate(t._w, t._g, t._s1, t._s2, null, adam, Good with { WeightDecay = -0.01 }), "negative decay");
        yield return Case("AdamaxUpdate", "step.L1", t => t._backend.AdamaxUpdate(t._w, t._g, t._s1, t._s2, adamax, Good with { L1 = -1 }), "negative L1");
        yield return Case("NadamUpdate", "step.Step", t => t._backend.NadamUpdate(t._w, t._g, t._s1, t._s2, nadam, Good with { Step = 0 }, mu), "step 0");
        yield return Case("SgdUpdate", "step.L2", t => t._backend.SgdUpdate(t._w, t._g, t._s1, sgd, Good with { L2 = double.PositiveInfinity }), "infinite L2");
        yield return Case("AdamUpdate", "step.LearningRate", t => t._backend.AdamUpdate(t._w, t._g, t._s1, t._s2, null, adam, Good with { LearningRate = -1e-3 }), "negative lr");
        yield return Case("AdamaxUpdate", "step.Step", t => t._backend.AdamaxUpdate(t._w, t._g, t._s1, t._s2, adamax, Good with { Step = -3 }), "negative step");
    }

    [TestCaseSource(nameof(BadCalls))]
    public void Throws(string op, string argument, Action<BadArgumentTests> call)
    {
        var before = _backend.ToArray(_w);
        var error = Assert.Throws<ArgumentException>(() => call(this))!;
        Assert.That(error.Message, Does.Contain(op).And.Contain($"'{argument}'"));
        Assert.That(error.ParamName, Is.EqualTo(argument));
        Assert.That(_backend.ToArray(_w), Is.EqualTo(before), "parameters must be untouched");
    }
}
