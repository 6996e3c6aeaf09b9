using CudaNet.Cpu;
using CudaNet.Tests.Normalization;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

/// <summary>
/// Outputs of 16 MiB and more are written with streaming (non-temporal) stores where the address is aligned, and
/// with ordinary stores elsewhere. These sizes are above the threshold, with odd lengths, odd row widths and a
/// misaligned view, so both kinds of store and every boundary between them write results the reference agrees with.
/// </summary>
[TestFixture]
public sealed class StreamingStoreTests
{
    /// <summary>Just over the 16 MiB threshold in floats, odd so the tail is not a whole vector.</summary>
    private const int Length = (16 << 20) / sizeof(float) + 3;

    private CpuBackend<float> _simd = null!;
    private CpuBackend<float> _reference = null!;

    [OneTimeSetUp]
    public void CreateBackends()
    {
        _simd = new CpuBackend<float>();
        _reference = new CpuBackend<float>(CpuKernels.Reference);
    }

    [OneTimeTearDown]
    public void DisposeBackends()
    {
        _simd.Dispose();
        _reference.Dispose();
    }

    [Test]
    public void TheThresholdIsSixteenMebibytesOfOutput()
    {
        using var below = _simd.Allocate<float>((16 << 20) / sizeof(float) - 1);
        using var at = _simd.Allocate<float>((16 << 20) / sizeof(float));
        Assert.That(StreamingStore.Worthwhile(below), Is.False);
        Assert.That(StreamingStore.Worthwhile(at), Is.EqualTo(System.Runtime.Intrinsics.X86.Sse.IsSupported));
    }

    [TestCase(0)]
    [TestCase(1)]
    public void ReluForwardAndBackwardEqualTheReferenceBitForBit(int misalignment)
    {
        var x = TestData.Uniform<float>(1, Length + misalignment);
        var dy = TestData.Uniform<float>(2, Length + misalignment);
        Close.Exact<float>(Relu(_simd, x, dy, misalignment, backward: false), Relu(_reference, x, dy, misalignment, backward: false), "forward");
        Close.Exact<float>(Relu(_simd, x, dy, misalignment, backward: true), Relu(_reference, x, dy, misalignment, backward: true), "backward");
    }

    [TestCase(0)]
    [TestCase(1)]
    public void DropoutEqualsTheReferenceBitForBit(int misalignment)
    {
        var x = TestData.Uniform<float>(3, Length + misalignment);
        Close.Exact<float>(Dropout(_simd, x, misalignment), Dropout(_reference, x, misalignment));
    }

    [TestCase(4100, 1025)]
    [TestCase(4096, 1024)]
    public void BatchNormMatchesTheReference(int rows, int features)
    {
        var x = TestData.Normal<float>(4, rows * features, std: 3);
        var dy = TestData.Normal<float>(5, rows * features);
        var gamma = TestData.Uniform<float>(6, features, 0.5, 1.5);
        var beta = TestData.Uniform<float>(7, features);
        var runningMean = new float[features];
        var runningVar = Enumerable.Repeat(1f, features).ToArray();
        var actual = NormRunner.BatchNormTraining(_simd, x, rows, features, gamma, beta, runningMean, runningVar);
        var expected = NormRunner.BatchNormTraining(_reference, x, rows, features, gamma, beta, runningMean, runningVar);
        const double rtol = Tolerance.ReductionRtol, atol = Tolerance.ReductionAtol;
        Close.All<float>(actual.Y, expected.Y, rtol, atol, "training y");
        Close.All<float>(actual.SavedInvStd, expected.SavedInvStd, rtol, atol, "saved invstd");
        Close.All<float>(NormRunner.BatchNormInference(_simd, x, rows, features, gamma, beta, expected.SavedMean, expected.RunningVar),
            NormRunner.BatchNormInference(_reference, x, rows, features, gamma, beta, expected.SavedMean, expected.RunningVar),
            Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol, "inference y");
        var grads = NormRunner.BatchNormBackward(_simd, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd);
        var expectedGrads = NormRunner.BatchNormBackward(_reference, dy, x, rows, features, gamma, expected.SavedMean, expected.SavedInvStd);
        Close.All<float>(grads.Dx, expectedGrads.Dx, rtol, atol, "dx");
    }

    private static float[] Relu(CpuBackend<float> backend, float[] x, float[] dy, int misalignment, bool backward)
    {
        using var xs = backend.FromArray(x);
        using var dys = backend.FromArray(dy);
        using var output = backend.Allocate<float>(x.Length);
        using var xView = xs.View(misalignment, Length);
        using var dyView = dys.View(misalignment, Length);
        using var outView = output.View(misalignment, Length);
        using var y = backend.Allocate<float>(Length);
        backend.ActivationForward(y, xView, Activation.ReLU);
        if (backward) backend.ActivationBackward(outView, dyView, xView, y, Activation.ReLU);
        else backend.ActivationForward(outView, xView, Activation.ReLU);
        return backend.ToArray(outView);
    }

    private static float[] Dropout(CpuBackend<float> backend, float[] x, int misalignment)
    {
        using var xs = backend.FromArray(x);
        using var output = backend.Allocate<float>(x.Length);
        using var xView = xs.View(misalignment, Length);
        using var outView = output.View(misalignment, Length);
        backend.DropoutForward(outView, xView, 0.3, seed: 17, offset: 5);
        return backend.ToArray(outView);
    }
}
