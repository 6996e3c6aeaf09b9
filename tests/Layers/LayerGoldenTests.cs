using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Layers;

/// <summary>Forward outputs and gradients against PyTorch 1.13 (tests/golden/layers.py), float64, both modes.</summary>
public sealed class LayerGoldenTests
{
    private const double Tol = 1e-12;
    private static IEnumerable<CpuKernels> Kernels => Backends.Kernels;

    private static void Check(CpuKernels kernels, Layer layer, Action<LayerHarness<double>> setUp, double[] y, double[] dx,
        params (string Name, double[] Gradient)[] gradients)
    {
        using var backend = new CpuBackend<double>(kernels);
        using var harness = new LayerHarness<double>(backend, layer, 6);
        setUp(harness);
        Close.All<double>(harness.Forward(LayerGolden.X, training: false), y, Tol, Tol, "evaluation forward");
        var (trainY, trainDx) = harness.Run(LayerGolden.X, training: true, LayerGolden.R);
        Close.All<double>(trainY, y, Tol, Tol, "training forward");
        Close.All<double>(trainDx, dx, Tol, Tol, "dx");
        foreach (var (name, gradient) in gradients) Close.All<double>(harness.Gradient(name), gradient, Tol, Tol, name);
    }

    [TestCaseSource(nameof(Kernels))]
    public void LayerNormMatchesPyTorch(CpuKernels kernels) =>
        Check(kernels, new LayerNorm(6), h => { h.Set("weight", LayerGolden.Gamma); h.Set("bias", LayerGolden.Beta); },
            LayerGolden.LayerNormY, LayerGolden.LayerNormDx, ("weight", LayerGolden.LayerNormDWeight), ("bias", LayerGolden.LayerNormDBias));

    [TestCaseSource(nameof(Kernels))]
    public void GroupNormMatchesPyTorch(CpuKernels kernels) =>
        Check(kernels, new GroupNorm(3, 6), h => { h.Set("weight", LayerGolden.Gamma); h.Set("bias", LayerGolden.Beta); },
            LayerGolden.GroupNormY, LayerGolden.GroupNormDx, ("weight", LayerGolden.GroupNormDWeight), ("bias", LayerGolden.GroupNormDBias));

    [TestCaseSource(nameof(Kernels))]
    public void PReLUMatchesPyTorch(CpuKernels kernels) =>
        Check(kernels, new PReLU(6), h => h.Set("weight", LayerGolden.Slopes), LayerGolden.PReluY, LayerGolden.PReluDx,
            ("weight", LayerGolden.PReluDWeight));

    [TestCaseSource(nameof(Kernels))]
    public void SoftmaxMatchesPyTorch(CpuKernels kernels) =>
        Check(kernels, new Softmax(), _ => { }, LayerGolden.SoftmaxY, LayerGolden.SoftmaxDx);

    [Test]
    public void DefaultsFollowPyTorch()
    {
        using var backend = new CpuBackend<double>();
        using var ln = new LayerHarness<double>(backend, new LayerNorm(6), 6);
        Assert.That((ln.Value("weight"), ln.Value("bias")), Is.EqualTo((Enumerable.Repeat(1.0, 6), Enumerable.Repeat(0.0, 6))));
        using var prelu = new LayerHarness<double>(backend, new PReLU(6), 6);
        Assert.That(prelu.Value("weight"), Is.All.EqualTo(0.25));
        Assert.That((new LayerNorm(6).Eps, new GroupNorm(2, 6).Eps), Is.EqualTo((1e-5, 1e-5)));
    }
}
