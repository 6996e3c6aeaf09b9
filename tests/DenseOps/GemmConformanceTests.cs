using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>Gemm on the backend under test vs the float32 triple-loop reference (reduction tolerance).</summary>
[TestFixture("cpu")]
[TestFixture("cuda")]
public sealed class GemmConformanceTests(string backendName) : ConformanceTest(backendName)
{
    /// <summary>(M, N, K): 1, odd, primes, and sizes around the SIMD kernel's blocks (8 × 32 AVX-512 tiles, 128-row
    /// bands, 256-deep slices; <see cref="GemmKernelTests"/> walks every register tile's edges).</summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 17, 3), (2, 3, 5), (3, 7, 1), (5, 16, 17), (7, 33, 13), (16, 8, 64), (31, 1, 257),
        (13, 257, 2), (4, 32, 256), (64, 65, 129), (65, 64, 255), (67, 31, 300), (70, 70, 70), (128, 10, 784),
        (129, 271, 300),
    ];

    private static IEnumerable<TestCaseData> ShapesAndTransposes() =>
        from shape in Shapes
        from transposeA in new[] { false, true }
        from transposeB in new[] { false, true }
        select new TestCaseData(shape.M, shape.N, shape.K, transposeA, transposeB);

    [TestCaseSource(nameof(ShapesAndTransposes))]
    public void MatchesReference(int m, int n, int k, bool transposeA, bool transposeB)
    {
        Compare(m, n, k, transposeA, transposeB, 1, 0, withBias: false, Activation.Identity, seed: m * 1000 + n + k);
        Compare(m, n, k, transposeA, transposeB, 0.75, -1.5, withBias: true, Activation.Identity, seed: m + n * 7 + k);
    }

    [TestCase(ActivationKind.ReLU, 0.0)]
    [TestCase(ActivationKind.LeakyReLU, 0.1)]
    [TestCase(ActivationKind.Sigmoid, 0.0)]
    [TestCase(ActivationKind.Tanh, 0.0)]
    [TestCase(ActivationKind.Elu, 0.7)]
    [TestCase(ActivationKind.Gelu, 0.0)]
    public void EpilogueMatchesReference(ActivationKind kind, double alpha)
    {
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 13), (65, 300, 40) })
        {
            Compare(m, n, k, false, true, 1, 0, withBias: true, new Activation(kind, alpha), seed: 11);
            Compare(m, n, k, true, false, 0.5, 1, withBias: false, new Activation(kind, alpha), seed: 12);
        }
    }

    [Test]
    public void DenseLayerSizesMatchReference()
    {
        // Y (128,512) = X (128,784) · Wᵀ, W (512,784): an MNIST-sized hidden layer, K over three depth slices.
        Compare(128, 512, 784, false, true, 1, 0, withBias: true, Activation.ReLU, seed: 5);
        // dW (256,784) = dYᵀ (256,128) · X (128,784), a weight gradient.
        Compare(256, 784, 128, true, false, 1, 0, withBias: false, Activation.Identity, seed: 6);
    }

    [TestCase(0, 5, 0)]
    [TestCase(1, 17, 0)]
    [TestCase(9, 40, 0)]
    public void EmptyInnerDimensionGivesEpilogueOfBetaC(int m, int n, int k)
    {
        Compare(m, n, k, false, false, 2, 0, withBias: true, Activation.Tanh, seed: 3);
        Compare(m, n, k, true, true, 2, -0.5, withBias: true, Activation.Identity, seed: 4);
        Compare(m, n, k, false, true, 2, 3, withBias: false, Activation.Identity, seed: 5);
    }

    [Test]
    public void BetaZeroIgnoresNaNInC([Values(0, 3, 300)] int k)
    {
        var a = OnBackend(TestData.Uniform<float>(1, 9 * k), 9, k);
        var b = OnBackend(TestData.Uniform<float>(2, k * 35), k, 35);
        var c = OnBackend(Enumerable.Repeat(float.NaN, 9 * 35).ToArray(), 9, 35);
        Backend.Gemm(c, a, false, b, false, 1, 0);
        Assert.That(Backend.ToArray(c), Has.None.NaN);
    }

    [Test]
    public void ResultDoesNotDependOnThreadCount()
    {
        var a = TestData.Uniform<float>(1, 200 * 300);
        var b = TestData.Uniform<float>(2, 300 * 270);
        float[] Run(int threads)
        {
            using var backend = new CpuBackend<float>(maxThreads: threads);
            var c = backend.FromArray(TestData.Uniform<float>(3, 200 * 270), 200, 270);
            backend.Gemm(c, backend.FromArray(a, 300, 200), true, backend.FromArray(b, 270, 300), true, 1, 0.5);
            return backend.ToArray(c);
        }
        Close.Exact<float>(Run(1), Run(3), "1 vs 3 threads");
    }

    private void Compare(int m, int n, int k, bool transposeA, bool transposeB, double alpha, double beta,
        bool withBias, Activation epilogue, int seed)
    {
        var aData = TestData.Uniform<float>(seed, m * k);
        var bData = TestData.Uniform<float>(seed + 1, k * n);
        var cData = TestData.Uniform<float>(seed + 2, m * n);
        var biasData = TestData.Uniform<float>(seed + 3, n);
        int[] aShape = transposeA ? [k, m] : [m, k], bShape = transposeB ? [n, k] : [k, n];

        var c = OnBackend(cData, m, n);
        Backend.Gemm(c, OnBackend(aData, aShape), transposeA, OnBackend(bData, bShape), transposeB, alpha, beta,
            withBias ? OnBackend(biasData, n) : null, epilogue);
        var expected = OnReference(cData, m, n);
        Reference.Gemm(expected, OnReference(aData, aShape), transposeA, OnReference(bData, bShape), transposeB,
            alpha, beta, withBias ? OnReference(biasData, n) : null, epilogue);

        Close.All<float>(Backend.ToArray(c), Reference.ToArray(expected), Tolerance.ReductionRtol, Tolerance.ReductionAtol,
            $"Gemm M={m} N={n} K={k} tA={transposeA} tB={transposeB} α={alpha} β={beta} bias={withBias} {epilogue}");
    }
}
