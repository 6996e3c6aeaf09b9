using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// Every optimizer class trained through <see cref="TrainingSession{T}.Fit"/> (Dense(3, 2) + MSE, 4 examples, one
/// full batch per step, no shuffling, float64) against PyTorch 1.13's nn.Linear with the same optimizer
/// (tests/golden/engine_trajectories.py): the loss of every step and the parameters after 10 steps.
/// </summary>
[TestFixture]
public sealed class EngineTrajectoryTests
{
    // float64 end to end; the kernels round like PyTorch's but the GEMMs and the gradient norm sum in another order.
    private const double Rtol = 1e-10, Atol = 1e-14;

    private static readonly Dictionary<string, (Func<Optimizer> Create, double? MaxGradNorm)> Optimizers = new()
    {
        ["Sgd"] = (() => new Sgd(0.1), null),
        ["SgdNesterovDecay"] = (() => new Sgd(0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01), null),
        ["SgdMomentumClipped"] = (() => new Sgd(0.1, momentum: 0.9), 0.5),
        ["Adam"] = (() => new Adam(0.05), null),
        ["AdamL2"] = (() => new Adam(0.05, weightDecay: 0.1), null),
        ["AdamClipped"] = (() => new Adam(0.05), 0.3),
        ["AmsGrad"] = (() => new Adam(0.05, amsgrad: true), null),
        ["AdamW"] = (() => new AdamW(0.05, weightDecay: 0.1), null),
        ["Adagrad"] = (() => new Adagrad(0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1), null),
        ["Adadelta"] = (() => new Adadelta(), null),
        ["RmsProp"] = (() => new RmsProp(), null),
        ["RmsPropCenteredMomentum"] = (() => new RmsProp(0.01, weightDecay: 0.01, momentum: 0.5, centered: true), null),
        ["Adamax"] = (() => new Adamax(0.02, weightDecay: 0.01), null),
        ["NAdam"] = (() => new NAdam(0.02), null),
    };

    private static IEnumerable<TestCaseData> Cases() =>
        from name in Optimizers.Keys
        from kernels in new[] { CpuKernels.Reference, CpuKernels.Simd }
        select new TestCaseData(name, kernels).SetArgDisplayNames(name, kernels.ToString());

    [TestCaseSource(nameof(Cases))]
    public void FitFollowsPyTorch(string name, CpuKernels kernels)
    {
        var (create, maxGradNorm) = Optimizers[name];
        var (expectedFinal, expectedLosses) = EngineTrajectoryGolden.Runs[name];
        var (final, losses) = Train(create(), maxGradNorm, kernels);
        Close.All<double>(losses, expectedLosses, Rtol, Atol, $"{name} losses");
        Close.All<double>(final, expectedFinal, Rtol, Atol, $"{name} parameters");
    }

    [TestCase("SgdMomentumClipped")]
    [TestCase("AdamClipped")]
    public void TheClippedRunsReallyClip(string name)
    {
        // Only a clip that changes the trajectory tests clipping: without it the same optimizer ends elsewhere.
        var (create, _) = Optimizers[name];
        var (unclipped, _) = Train(create(), maxGradNorm: null, CpuKernels.Simd);
        var clipped = EngineTrajectoryGolden.Runs[name].Final;
        Assert.That(unclipped.Zip(clipped, (a, b) => Math.Abs(a - b)).Max(), Is.GreaterThan(1e-2));
    }

    private static (double[] Final, double[] Losses) Train(Optimizer optimizer, double? maxGradNorm, CpuKernels kernels)
    {
        using var cpu = new CpuBackend<double>(kernels);
        using var session = new Sequential(new Dense(3, 2)).Compile(cpu, optimizer, Loss.MeanSquaredError);
        var network = session.Network;
        cpu.Upload(network.NamedParameters[0].Parameter.Value, EngineTrajectoryGolden.Weight);
        cpu.Upload(network.NamedParameters[1].Parameter.Value, EngineTrajectoryGolden.Bias);
        var data = Dataset.WithTargets(EngineTrajectoryGolden.Features, 3, EngineTrajectoryGolden.Targets, 2);

        var history = session.Fit(data, epochs: 10, options: new FitOptions(BatchSize: 4, Shuffle: false, MaxGradNorm: maxGradNorm));

        Assert.That(session.Step, Is.EqualTo(10));
        return ([.. cpu.ToArray(network.NamedParameters[0].Parameter.Value), .. cpu.ToArray(network.NamedParameters[1].Parameter.Value)],
            history.Select(m => m.Loss).ToArray());
    }
}
