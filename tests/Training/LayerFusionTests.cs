using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Data;
using CudaNet.Tests.Support;
using CudaNet.Tests.Verification;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

/// <summary>
/// A BatchNorm followed by a ReLU runs as one fused batch-norm op (LayerFusion). The comparison model replaces the
/// ReLU by <see cref="UnfusableReLU"/>, the same ReLU ops in a layer LayerFusion does not know, so both models have
/// the same layer indices, state-dict names, initialisation and dropout streams and differ only in the fusion.
/// </summary>
public sealed class LayerFusionTests
{
    private const int Inputs = 12, Hidden = 10, Classes = 3;

    private static Sequential Model(bool fusable) => new(
        new Dense(Inputs, Hidden), new BatchNorm(Hidden), fusable ? new ReLU() : new UnfusableReLU(), new Dropout(0.2),
        new Dense(Hidden, Classes));

    private static Dataset Data(int count, int seed)
    {
        var x = TestData.Normal<float>(seed, count * Inputs);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = (x[i * Inputs] + x[i * Inputs + 1] > 0 ? 1 : 0) + (x[i * Inputs + 2] > 1 ? 1 : 0);
        return Dataset.WithLabels(x, Inputs, labels, Classes);
    }

    [TestCase(CpuKernels.Simd)]
    [TestCase(CpuKernels.Reference)]
    public void TrainingGivesTheBitsOfTheUnfusedModel(CpuKernels kernels)
    {
        using var cpu = new CpuBackend<float>(kernels);
        var train = Data(100, seed: 3);
        using var fused = Model(fusable: true).Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 11);
        using var plain = Model(fusable: false).Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 11);
        // A last batch of 4 rows exercises a second batch size in the same arena.
        var fusedHistory = fused.Fit(train, epochs: 3, options: new FitOptions(BatchSize: 32));
        var plainHistory = plain.Fit(train, epochs: 3, options: new FitOptions(BatchSize: 32));

        Assert.That(fusedHistory.Select(e => e.Loss), Is.EqualTo(plainHistory.Select(e => e.Loss)));
        var a = fused.Network.StateDict();
        var b = plain.Network.StateDict();
        Assert.That(a.Select(e => e.Key), Is.EqualTo(b.Select(e => e.Key)));
        for (int i = 0; i < a.Count; i++) Assert.That(a[i].Value.Data, Is.EqualTo(b[i].Value.Data), a[i].Key);
        Assert.That(fused.Network.Layers[1].Counters.Single().Value, Is.EqualTo(12), "num_batches_tracked: 3 epochs × 4 batches");

        var test = Data(40, seed: 4);
        Assert.That(fused.Predict(test), Is.EqualTo(plain.Predict(test)), "evaluation forward");
        using var predictor = fused.Network.CreatePredictor();
        Assert.That(predictor.Predict(test), Is.EqualTo(plain.Predict(test)), "a predictor's inference context");
    }

    [Test]
    public void TheFusedReLURunsNoPassAndSharesItsSlots()
    {
        using var counting = new ActivationCounting(new CpuBackend<float>());
        using var network = Model(fusable: true).Build(counting, seed: 2);
        const int rows = 8;
        network.Reserve(rows);
        counting.Upload(network.Input(rows), TestData.Normal<float>(5, rows * Inputs));
        var output = network.Forward(rows, training: true);
        counting.Upload(network.OutputGradient, TestData.Normal<float>(6, rows * Classes));
        network.Backward();
        Assert.That((counting.Forwards, counting.Backwards), Is.EqualTo((0, 0)), "no separate ReLU pass");
        Assert.That(network.LayerOutput(2).Storage, Is.SameAs(network.LayerOutput(1).Storage), "the ReLU's output is its input");
        var relu = counting.ToArray(network.LayerOutput(2));
        Assert.That(relu, Is.All.GreaterThanOrEqualTo(0f));
        Assert.That(relu.Count(v => v > 0), Is.InRange(rows * Hidden / 4, rows * Hidden * 3 / 4), "about half the units active");
        Assert.That((output.Rows, output.Columns), Is.EqualTo((rows, Classes)));
    }

    [Test]
    public void TheSharedSlotsAreFreedOnce()
    {
        using var cpu = new CpuBackend<float>();
        var network = Model(fusable: true).Build(cpu);
        network.Reserve(16);
        network.Reserve(32);
        network.Dispose();
        Assert.That((cpu.Allocations.LiveCount, cpu.Allocations.LiveBytes), Is.EqualTo((0L, 0L)));
    }

    /// <summary>ReLU through ActivationForward / ActivationBackward, in a layer type LayerFusion does not fuse.</summary>
    private sealed class UnfusableReLU : Layer
    {
        public override int OutputFeatures(int inputFeatures) => inputFeatures;

        public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(context.Backend, context.InputFeatures);

        private sealed class Runtime<T>(IBackend<T> backend, int features) : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public override int OutputFeatures => features;

            public override void Forward(Tensor<T> x, Tensor<T> y, bool training) => backend.ActivationForward(y, x, Activation.ReLU);

            public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx) =>
                backend.ActivationBackward(dx!, dy, x, y, Activation.ReLU);
        }
    }

    /// <summary>Counts the separate activation passes.</summary>
    private sealed class ActivationCounting(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public int Forwards { get; private set; }
        public int Backwards { get; private set; }

        public override void ActivationForward(Tensor<float> y, Tensor<float> x, Activation activation)
        {
            Forwards++;
            base.ActivationForward(y, x, activation);
        }

        public override void ActivationBackward(Tensor<float> dx, Tensor<float> dy, Tensor<float> x, Tensor<float> y, Activation activation)
        {
            Backwards++;
            base.ActivationBackward(dx, dy, x, y, activation);
        }
    }
}
