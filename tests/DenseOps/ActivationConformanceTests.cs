using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>ActivationForward/Backward on the backend under test vs the float32 reference, elementwise tolerance.</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class ActivationConformanceTests(string backendName) : ConformanceTest(backendName)
{
    internal static readonly Activation[] All =
    [
        Activation.Identity, Activation.ReLU, Activation.LeakyReLU(), Activation.LeakyReLU(-0.3), Activation.Sigmoid,
        Activation.Tanh, Activation.Elu(), Activation.Elu(0.25), Activation.Gelu,
    ];

    /// <summary>Values where the functions saturate, overflow or are undefined, and tiny ones where tanh is linear.</summary>
    private static readonly float[] Extremes =
    [
        float.NegativeInfinity, -1e30f, -1e10f, -100f, -88.8f, -20f, -1e-3f, -1e-30f, -0f, 0f, 1e-30f, 1e-3f, 20f,
        88.8f, 100f, 1e10f, 1e30f, float.PositiveInfinity, float.NaN, float.MaxValue, float.MinValue,
    ];

    [TestCaseSource(nameof(All))]
    public void ForwardMatchesReferenceForEveryLength(Activation activation)
    {
        foreach (int length in TestData.AllLengths)
        {
            var x = TestData.Normal<float>(length, length, std: 4);
            var y = OnBackend(new float[length], length);
            Backend.ActivationForward(y, OnBackend(x, length), activation);
            var expected = OnReference(new float[length], length);
            Reference.ActivationForward(expected, OnReference(x, length), activation);
            Close.All<float>(Backend.ToArray(y), Reference.ToArray(expected), Tolerance.ElementwiseRtol,
                Tolerance.ElementwiseAtol, $"{activation} forward, length {length}");
        }
    }

    [TestCaseSource(nameof(All))]
    public void BackwardMatchesReferenceForEveryLength(Activation activation)
    {
        foreach (int length in TestData.AllLengths)
        {
            var x = TestData.Normal<float>(length, length, std: 4);
            var dy = TestData.Uniform<float>(length + 1000, length);
            var y = new float[length];
            var yRef = OnReference(y, length);
            Reference.ActivationForward(yRef, OnReference(x, length), activation);
            y = Reference.ToArray(yRef);

            var dx = OnBackend(new float[length], length);
            Backend.ActivationBackward(dx, OnBackend(dy, length), OnBackend(x, length), OnBackend(y, length), activation);
            var expected = OnReference(new float[length], length);
            Reference.ActivationBackward(expected, OnReference(dy, length), OnReference(x, length), yRef, activation);
            Close.All<float>(Backend.ToArray(dx), Reference.ToArray(expected), Tolerance.ElementwiseRtol,
                Tolerance.ElementwiseAtol, $"{activation} backward, length {length}");
        }
    }

    [TestCaseSource(nameof(All))]
    public void ExtremeValuesMatchReference(Activation activation)
    {
        int n = Extremes.Length;
        var y = OnBackend(new float[n], n);
        Backend.ActivationForward(y, OnBackend(Extremes, n), activation);
        var yRef = OnReference(new float[n], n);
        Reference.ActivationForward(yRef, OnReference(Extremes, n), activation);
        Close.All<float>(Backend.ToArray(y), Reference.ToArray(yRef), Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol,
            $"{activation} forward");

        var ones = Enumerable.Repeat(1f, n).ToArray();
        var dx = OnBackend(new float[n], n);
        Backend.ActivationBackward(dx, OnBackend(ones, n), OnBackend(Extremes, n), OnBackend(Reference.ToArray(yRef), n), activation);
        var dxRef = OnReference(new float[n], n);
        Reference.ActivationBackward(dxRef, OnReference(ones, n), OnReference(Extremes, n), yRef, activation);
        Close.All<float>(Backend.ToArray(dx), Reference.ToArray(dxRef), Tolerance.ElementwiseRtol, Tolerance.ElementwiseAtol,
            $"{activation} backward");
    }

    [TestCaseSource(nameof(All))]
    public void InPlaceMatchesOutOfPlace(Activation activation)
    {
        const int length = 100;
        var x = TestData.Normal<float>(7, length, std: 3);
        var dy = TestData.Uniform<float>(8, length);
        var outOfPlace = OnBackend(new float[length], length);
        var xs = OnBackend(x, length);
        Backend.ActivationForward(outOfPlace, xs, activation);
        var dxOut = OnBackend(new float[length], length);
        Backend.ActivationBackward(dxOut, OnBackend(dy, length), xs, outOfPlace, activation);

        var inPlace = OnBackend(x, length);
        Backend.ActivationForward(inPlace, inPlace, activation);
        var dyInPlace = OnBackend(dy, length);
        Backend.ActivationBackward(dyInPlace, dyInPlace, xs, inPlace, activation);
        Close.Exact<float>(Backend.ToArray(inPlace), Backend.ToArray(outOfPlace), $"{activation} forward y = x");
        Close.Exact<float>(Backend.ToArray(dyInPlace), Backend.ToArray(dxOut), $"{activation} backward dx = dy");
    }

    [Test]
    public void SaturatingFunctionsStayFiniteAtHugeInputs()
    {
        float[] x = [-1e30f, float.NegativeInfinity, 1e30f, float.PositiveInfinity];
        float[] Forward(Activation activation)
        {
            var y = OnBackend(new float[4], 4);
            Backend.ActivationForward(y, OnBackend(x, 4), activation);
            return Backend.ToArray(y);
        }
        Assert.That(Forward(Activation.Sigmoid), Is.EqualTo(new[] { 0f, 0f, 1f, 1f }));
        Assert.That(Forward(Activation.Tanh), Is.EqualTo(new[] { -1f, -1f, 1f, 1f }));
        Assert.That(Forward(Activation.Elu(0.5)), Is.EqualTo(new[] { -0.5f, -0.5f, 1e30f, float.PositiveInfinity }));
        Assert.That(Forward(Activation.ReLU), Is.EqualTo(new[] { 0f, 0f, 1e30f, float.PositiveInfinity }));
    }
}
