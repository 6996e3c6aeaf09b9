using System.Numerics;
using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Layers;

/// <summary>The public layer gradient check on every built-in layer, and that it catches a wrong backward pass.</summary>
public sealed class LayerGradientCheckTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        from kernels in Backends.Kernels
        from layer in LayerGradientChecks.Layers
        select new TestCaseData(kernels, layer.Name).SetName($"{layer.Name} on {kernels}");

    [TestCaseSource(nameof(Cases))]
    public void EveryLayerPassesTheFloat64Check(CpuKernels kernels, string name)
    {
        var (_, layer, inputs) = LayerGradientChecks.Layers.Single(l => l.Name == name);
        using var backend = new CpuBackend<double>(kernels);
        long baseline = backend.Allocations.LiveCount;
        var results = LayerGradientCheck.Run(backend, layer, inputs, rows: 5);
        Assert.That(backend.Allocations.LiveCount, Is.EqualTo(baseline), "the check frees what it allocates");
        using var harness = new LayerHarness<double>(backend, layer, inputs);
        Assert.That(results.Select(r => r.Input), Is.EqualTo(new[] { "x" }.Concat(harness.ParameterNames.Select(n => n[2..]))));
        foreach (var (input, result) in results)
        {
            Assert.That(result.Passed, Is.True, $"{name} {input}: {result}");
            Assert.That(result.Elements, Is.GreaterThan(0));
        }
    }

    [Test]
    public void StochasticLayersAreCheckedWithOneFixedDrawAndKeepTheirCounter()
    {
        using var backend = new CpuBackend<double>();
        // Each evaluation would otherwise draw a new mask and the central differences would be noise.
        foreach (var layer in new Layer[] { new Dropout(0.5), new GaussianNoise(1.0), new DropConnect(6, 6, 0.5, activation: Activation.Tanh) })
            Assert.That(LayerGradientCheck.Run(backend, layer, 6, 4).All(r => r.Result.Passed), Is.True, layer.GetType().Name);
    }

    [Test]
    public void AWrongBackwardPassFails()
    {
        using var backend = new CpuBackend<double>();
        var results = LayerGradientCheck.Run(backend, new WrongScale(), 4, 3);
        Assert.That(results.Single().Result.Passed, Is.False);
    }

    [Test]
    public void BadArgumentsThrow()
    {
        using var backend = new CpuBackend<double>();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LayerGradientCheck.Run(backend, new ReLU(), 0, 3))!;
        Assert.That(e.Message, Does.Contain("LayerGradientCheck").And.Contain("inputFeatures"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerGradientCheck.Run(backend, new ReLU(), 3, 0));
        Assert.Throws<ArgumentNullException>(() => LayerGradientCheck.Run(backend, null!, 3, 3));
        Assert.Throws<ArgumentException>(() => LayerGradientCheck.Run(backend, new Dense(4, 2), 3, 3));
    }

    /// <summary>y = 2x with a backward pass that forgets the factor 2.</summary>
    private sealed class WrongScale : Layer
    {
        public override int OutputFeatures(int inputFeatures) => inputFeatures;

        public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(context.Backend, context.InputFeatures);

        private sealed class Runtime<T>(IBackend<T> backend, int features) : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public override int OutputFeatures => features;
            public override void Forward(Tensor<T> x, Tensor<T> y, bool training) => backend.Scale(y, x, 2);
            public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
            {
                if (dx is not null) backend.Copy(dx, dy);
            }
        }
    }
}
