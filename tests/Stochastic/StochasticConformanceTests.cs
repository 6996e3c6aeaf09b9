using CudaNet.Tests.Support;
using NUnit.Framework;
using static CudaNet.Tests.Stochastic.StochasticTestSupport;

namespace CudaNet.Tests.Stochastic;

/// <summary>
/// The backend under test against the float32 reference: masks and noise are the same bits on every backend
/// (DESIGN.md §6), so every comparison is exact, for every length 0..257 and several streams.
/// </summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public class StochasticConformanceTests(string backendName) : ConformanceTest(backendName)
{
    [TestCase(0.0)]
    [TestCase(0.1)]
    [TestCase(0.5)]
    [TestCase(0.9)]
    public void DropoutForwardMatchesTheReferenceExactly(double p) =>
        AssertSimdMatchesReference<float>(Backend, Reference, (seed, offset) => (b, y, x) => b.DropoutForward(y, x, p, seed, offset));

    [Test]
    public void DropoutBackwardMatchesTheReferenceExactly() =>
        AssertSimdMatchesReference<float>(Backend, Reference, (seed, offset) => (b, dx, dy) => b.DropoutBackward(dx, dy, 0.3, seed, offset));

    [TestCase(0.0)]
    [TestCase(0.25)]
    [TestCase(0.75)]
    public void DropConnectMaskMatchesTheReferenceExactly(double p) =>
        AssertSimdMatchesReference<float>(Backend, Reference, (seed, offset) => (b, wm, w) => b.DropConnectMask(wm, w, p, seed, offset));

    [TestCase(0.0)]
    [TestCase(0.1)]
    [TestCase(3.0)]
    public void AddGaussianNoiseMatchesTheReferenceExactly(double stddev) =>
        AssertSimdMatchesReference<float>(Backend, Reference, (seed, offset) => (b, y, x) => b.AddGaussianNoise(y, x, stddev, seed, offset));

    [Test]
    public void InPlaceDropoutAndNoiseEqualOutOfPlace()
    {
        var data = TestData.Uniform<float>(5, 1000);
        foreach (var (name, op) in new (string, StochasticOp<float>)[]
                 {
                     ("dropout", (b, y, x) => b.DropoutForward(y, x, 0.4, 9, 2)),
                     ("noise", (b, y, x) => b.AddGaussianNoise(y, x, 0.5, 9, 2)),
                 })
        {
            using var t = Backend.FromArray(data, data.Length);
            op(Backend, t, t);
            Close.Exact<float>(Backend.ToArray(t), Run(Reference, data, op), $"in-place {name}");
        }
    }
}

/// <summary>Float64 SIMD against the float64 reference, exactly (the masks and normals do not depend on T).</summary>
public class StochasticDoubleConformanceTests
{
    private IBackend<double> _simd = null!, _reference = null!;

    [OneTimeSetUp]
    public void CreateBackends() => (_simd, _reference) = (Double(reference: false), Double(reference: true));

    [OneTimeTearDown]
    public void DisposeBackends()
    {
        _simd.Dispose();
        _reference.Dispose();
    }

    [Test]
    public void DropoutMatchesTheReferenceExactly() =>
        AssertSimdMatchesReference<double>(_simd, _reference, (seed, offset) => (b, y, x) => b.DropoutForward(y, x, 0.35, seed, offset));

    [Test]
    public void DropConnectMaskMatchesTheReferenceExactly() =>
        AssertSimdMatchesReference<double>(_simd, _reference, (seed, offset) => (b, wm, w) => b.DropConnectMask(wm, w, 0.6, seed, offset));

    [Test]
    public void AddGaussianNoiseMatchesTheReferenceExactly() =>
        AssertSimdMatchesReference<double>(_simd, _reference, (seed, offset) => (b, y, x) => b.AddGaussianNoise(y, x, 0.7, seed, offset));

    [Test]
    public void MasksAndNormalsAreTheSameInFloatAndDouble()
    {
        using var single = new Cpu.CpuBackend<float>();
        var ones = Enumerable.Repeat(1.0, 999).ToArray();
        var maskDouble = Run(_simd, ones, (b, y, x) => b.DropConnectMask(y, x, 0.5, 4, 5));
        var maskSingle = Run<float>(single, ones.Select(v => (float)v).ToArray(), (b, y, x) => b.DropConnectMask(y, x, 0.5, 4, 5));
        Close.Exact<double>(maskDouble, maskSingle.Select(v => (double)v).ToArray(), "DropConnect mask");
        var zeros = new double[999];
        var noiseDouble = Run(_simd, zeros, (b, y, x) => b.AddGaussianNoise(y, x, 1.0, 4, 5));
        var noiseSingle = Run<float>(single, new float[999], (b, y, x) => b.AddGaussianNoise(y, x, 1.0, 4, 5));
        Close.Exact<double>(noiseDouble, noiseSingle.Select(v => (double)v).ToArray(), "normals");
    }
}
