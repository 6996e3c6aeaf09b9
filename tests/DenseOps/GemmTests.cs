using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>Gemm in float64 on the reference and the SIMD backend: hand-computed values, gradients, edge cases.</summary>
[TestFixture(CpuKernels.Reference)]
[TestFixture(CpuKernels.Simd)]
public sealed class GemmTests(CpuKernels kernels)
{
    private CpuBackend<double> _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = new CpuBackend<double>(kernels);

    [OneTimeTearDown]
    public void DisposeBackend() => _backend.Dispose();

    private Tensor<double> T(double[] data, params int[] shape) => _backend.FromArray(data, shape);

    [Test]
    public void HandComputedProductInAllTransposeCombinations()
    {
        // A (2,3) = [[1,2,3],[4,5,6]], B (3,2) = [[7,8],[9,10],[11,12]]: A·B = [[58,64],[139,154]].
        double[] a = [1, 2, 3, 4, 5, 6], aT = [1, 4, 2, 5, 3, 6];
        double[] b = [7, 8, 9, 10, 11, 12], bT = [7, 9, 11, 8, 10, 12];
        // C = 2·A·B + 0.5·C0 + bias with C0 = [[1,2],[3,4]], bias = [10,-20].
        double[] expected = [2 * 58 + 0.5 + 10, 2 * 64 + 1 - 20, 2 * 139 + 1.5 + 10, 2 * 154 + 2 - 20];
        foreach (bool transposeA in new[] { false, true })
        {
            foreach (bool transposeB in new[] { false, true })
            {
                var c = T([1, 2, 3, 4], 2, 2);
                _backend.Gemm(c, transposeA ? T(aT, 3, 2) : T(a, 2, 3), transposeA,
                    transposeB ? T(bT, 2, 3) : T(b, 3, 2), transposeB, 2, 0.5, T([10, -20], 2));
                Close.All<double>(_backend.ToArray(c), expected, 0, 0, $"tA={transposeA} tB={transposeB}");
            }
        }
    }

    [Test]
    public void HandComputedEpilogues()
    {
        // A·B = [[58,64],[139,154]] with bias [-100, -150]: [[-42,-86],[39,4]].
        double[] a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12];
        (Activation Activation, double[] Expected)[] cases =
        [
            (Activation.Identity, [-42, -86, 39, 4]),
            (Activation.ReLU, [0, 0, 39, 4]),
            (Activation.LeakyReLU(0.5), [-21, -43, 39, 4]),
            (Activation.Tanh, [Math.Tanh(-42), Math.Tanh(-86), Math.Tanh(39), Math.Tanh(4)]),
            (Activation.Sigmoid, [1 / (1 + Math.Exp(42)), 1 / (1 + Math.Exp(86)), 1 / (1 + Math.Exp(-39)), 1 / (1 + Math.Exp(-4))]),
            (Activation.Elu(2), [2 * Math.Exp(-42) - 2, 2 * Math.Exp(-86) - 2, 39, 4]),
        ];
        foreach (var (activation, expected) in cases)
        {
            var c = _backend.Allocate<double>(2, 2);
            _backend.Gemm(c, T(a, 2, 3), false, T(b, 3, 2), false, 1, 0, T([-100, -150], 2), activation);
            Close.All<double>(_backend.ToArray(c), expected, 1e-14, 1e-300, activation.ToString());
        }
    }

    [Test]
    public void EmptyInnerDimensionGivesActivationOfBetaCPlusBias()
    {
        var c = T([1, -2, 3, -4], 2, 2);
        _backend.Gemm(c, T([], 2, 0), false, T([], 0, 2), false, 5, 2, T([0.5, 1], 2), Activation.ReLU);
        Close.All<double>(_backend.ToArray(c), [2.5, 0, 6.5, 0], 0, 0, "β·C + bias, ReLU");

        var nanC = T([double.NaN, double.NaN, double.NaN, double.NaN], 2, 2);
        _backend.Gemm(nanC, T([], 0, 2), true, T([], 2, 0), true, 1, 0, T([0.5, -1], 2));
        Close.All<double>(_backend.ToArray(nanC), [0.5, -1, 0.5, -1], 0, 0, "β = 0 ignores NaN in C");
    }

    [Test]
    public void BetaZeroNeverReadsC([Values(false, true)] bool transposeA, [Values(false, true)] bool transposeB)
    {
        var c = T(Enumerable.Repeat(double.NaN, 6 * 9).ToArray(), 6, 9);
        var a = T(TestData.Uniform<double>(1, 6 * 5), transposeA ? [5, 6] : [6, 5]);
        var b = T(TestData.Uniform<double>(2, 5 * 9), transposeB ? [9, 5] : [5, 9]);
        _backend.Gemm(c, a, transposeA, b, transposeB, 1.5, 0, null, Activation.Gelu);
        Assert.That(_backend.ToArray(c), Has.None.NaN);
    }

    [Test]
    public void EmptyOutputLeavesEverythingAlone()
    {
        var c = _backend.Allocate<double>(0, 4);
        _backend.Gemm(c, T([], 0, 3), false, T(new double[12], 3, 4), false, 1, 0);
        Assert.That(c.Length, Is.Zero);
    }

    [Test]
    public void NaNInInputsPropagates()
    {
        var c = _backend.Allocate<double>(2, 2);
        _backend.Gemm(c, T([1, double.NaN, 3, 4], 2, 2), false, T([1, 0, 0, 1], 2, 2), false, 1, 0);
        double[] result = _backend.ToArray(c);
        Assert.That(double.IsNaN(result[0]) && double.IsNaN(result[1]), "row 0 reads the NaN");
        Assert.That(result[2..], Is.EqualTo(new double[] { 3, 4 }));
    }

    /// <summary>
    /// f = Σ act(X·Wᵀ + b) ⊙ r for a dense layer X (5,7), W (3,7), b (3): dZ = act'(Z) ⊙ r,
    /// dX = dZ·W, dW = dZᵀ·X (both via Gemm), db = column sums of dZ — against central differences.
    /// </summary>
    [TestCase(ActivationKind.Identity, 0.0)]
    [TestCase(ActivationKind.ReLU, 0.0)]
    [TestCase(ActivationKind.LeakyReLU, 0.1)]
    [TestCase(ActivationKind.Sigmoid, 0.0)]
    [TestCase(ActivationKind.Tanh, 0.0)]
    [TestCase(ActivationKind.Elu, 1.3)]
    [TestCase(ActivationKind.Gelu, 0.0)]
    public void DenseLayerGradientCheck(ActivationKind kind, double parameter)
    {
        const int n = 5, inputs = 7, outputs = 3;
        var activation = new Activation(kind, parameter);
        double[] x = TestData.Normal<double>(1, n * inputs), w = TestData.Normal<double>(2, outputs * inputs);
        double[] bias = TestData.Normal<double>(3, outputs), r = TestData.Normal<double>(4, n * outputs);

        double Loss()
        {
            using var y = _backend.Allocate<double>(n, outputs);
            _backend.Gemm(y, T(x, n, inputs), false, T(w, outputs, inputs), true, 1, 0, T(bias, outputs), activation);
            return _backend.ToArray(y).Zip(r, (yi, ri) => yi * ri).Sum();
        }

        var z = _backend.Allocate<double>(n, outputs);
        _backend.Gemm(z, T(x, n, inputs), false, T(w, outputs, inputs), true, 1, 0, T(bias, outputs));
        var y = _backend.Allocate<double>(n, outputs);
        _backend.ActivationForward(y, z, activation);
        var dZ = _backend.Allocate<double>(n, outputs);
        _backend.ActivationBackward(dZ, T(r, n, outputs), z, y, activation);
        var dX = _backend.Allocate<double>(n, inputs);
        _backend.Gemm(dX, dZ, false, T(w, outputs, inputs), false, 1, 0);
        var dW = _backend.Allocate<double>(outputs, inputs);
        _backend.Gemm(dW, dZ, true, T(x, n, inputs), false, 1, 0);
        double[] dZs = _backend.ToArray(dZ), dB = new double[outputs];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < outputs; j++) dB[j] += dZs[i * outputs + j];

        var resultX = GradientCheck.Check(x, _backend.ToArray(dX), Loss);
        var resultW = GradientCheck.Check(w, _backend.ToArray(dW), Loss);
        var resultB = GradientCheck.Check(bias, dB, Loss);
        Assert.That(resultX.Passed, $"dX: {resultX}");
        Assert.That(resultW.Passed, $"dW: {resultW}");
        Assert.That(resultB.Passed, $"db: {resultB}");
    }

    [Test]
    public void BadArgumentsThrow()
    {
        var c = _backend.Allocate<double>(2, 3);
        var a = _backend.Allocate<double>(2, 4);
        var b = _backend.Allocate<double>(4, 3);
        AssertThrows(() => _backend.Gemm(c, a, false, _backend.Allocate<double>(5, 3), false, 1, 0), "b");
        AssertThrows(() => _backend.Gemm(c, a, true, b, false, 1, 0), "a");
        AssertThrows(() => _backend.Gemm(c, a, false, b, false, 1, 0, _backend.Allocate<double>(2)), "bias");
        AssertThrows(() => _backend.Gemm(c, a, false, b, false, double.NaN, 0), "alpha");
        AssertThrows(() => _backend.Gemm(c, a, false, b, false, 1, double.PositiveInfinity), "beta");
        AssertThrows(() => _backend.Gemm(c, a, false, b, false, 1, 0, null, Activation.Elu(-1)), "epilogue");
    }

    private static void AssertThrows(Action call, string argument)
    {
        var exception = Assert.Throws<ArgumentException>(call);
        Assert.That(exception!.Message, Does.Contain("Gemm").And.Contain($"'{argument}'"));
    }
}
