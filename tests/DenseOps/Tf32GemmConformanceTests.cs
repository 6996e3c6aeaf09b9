using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.DenseOps;

/// <summary>
/// The opt-in TF32 GEMM (<see cref="GemmPrecision.Tf32"/>) on a GPU of compute capability 8.0 or later, ignored
/// elsewhere: against float64 of the TF32-rounded inputs with a K-scaled bound (what the kernel must get right), and
/// against the exact float64 product with the documented TF32 bound (what a user gets). The default stays Float32.
/// </summary>
[TestFixture]
public sealed class Tf32GemmConformanceTests
{
    private const double Ulp = 1.0 / (1 << 24);
    private CudaBackend _gpu = null!;

    [OneTimeSetUp]
    public void CreateBackend()
    {
        if (!CudaBackend.TryCreate(out var gpu, out string reason)) Assert.Ignore($"CUDA unavailable: {reason}.");
        _gpu = gpu!;
        if (CudaBackend.Tf32Unsupported(_gpu.Context.Name, _gpu.Context.ComputeCapability) is { } unsupported)
        {
            Assert.That(() => _gpu.GemmPrecision = GemmPrecision.Tf32,
                Throws.TypeOf<NotSupportedException>().With.Message.Contains(_gpu.Context.Name));
            Assert.Ignore(unsupported);
        }
        _gpu.SynchronizeAfterEachLaunch = true;
    }

    [OneTimeTearDown]
    public void DisposeBackend() => _gpu?.Dispose();

    [SetUp]
    public void UseTf32() => _gpu.GemmPrecision = GemmPrecision.Tf32;

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (7, 33, 13), (17, 1, 9), (64, 65, 129), (65, 64, 255), (129, 271, 300), (128, 512, 784),
        (256, 256, 256), (9, 40, 0),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from shape in Shapes
        from transposeA in new[] { false, true }
        from transposeB in new[] { false, true }
        from offset in new[] { 0, 1 }
        select new TestCaseData(shape.M, shape.N, shape.K, transposeA, transposeB, offset);

    /// <param name="offset">Floats between the start of the allocation and A, B: 1 takes the plain-load path.</param>
    [TestCaseSource(nameof(Cases))]
    public void MatchesFloat64WithinTheTf32Bounds(int m, int n, int k, bool transposeA, bool transposeB, int offset)
    {
        Compare(m, n, k, transposeA, transposeB, offset, 1, 0, Activation.Identity, seed: m * 31 + n + k);
        Compare(m, n, k, transposeA, transposeB, offset, 0.75, -1.5, Activation.ReLU, seed: m + n * 7 + k);
        Compare(m, n, k, transposeA, transposeB, offset, 1.25, 0.5, Activation.Gelu, seed: m + n + k * 3);
    }

    [Test]
    public void DefaultIsFloat32AndTf32ChangesTheResult()
    {
        using var fresh = CudaBackend.Create();
        Assert.That(fresh.GemmPrecision, Is.EqualTo(GemmPrecision.Float32));
        Assert.That(() => fresh.GemmPrecision = (GemmPrecision)7, Throws.TypeOf<ArgumentOutOfRangeException>());
        var (a, b) = (Random(1, 64 * 256), Random(2, 256 * 64));
        float[] Run(GemmPrecision precision)
        {
            fresh.GemmPrecision = precision;
            using var ta = fresh.FromArray(a, 64, 256);
            using var tb = fresh.FromArray(b, 256, 64);
            using var tc = fresh.Allocate<float>(64, 64);
            fresh.Gemm(tc, ta, false, tb, false, 1, 0);
            return fresh.ToArray(tc);
        }
        // Inputs with full 23-bit mantissas: TF32 rounding moves almost every sum by far more than float32 would.
        Assert.That(Run(GemmPrecision.Tf32), Is.Not.EqualTo(Run(GemmPrecision.Float32)));
    }

    private void Compare(int m, int n, int k, bool transposeA, bool transposeB, int offset, double alpha, double beta,
        Activation activation, int seed)
    {
        float[] a = Random(seed, m * k), b = Random(seed + 1, k * n), c = Random(seed + 2, m * n), bias = Random(seed + 3, n);
        using var aStore = _gpu.FromArray([.. new float[offset], .. a]);
        using var bStore = _gpu.FromArray([.. new float[offset], .. b]);
        using var ta = aStore.View(offset, transposeA ? k : m, transposeA ? m : k);
        using var tb = bStore.View(offset, transposeB ? n : k, transposeB ? k : n);
        using var tc = _gpu.FromArray(c, m, n);
        using var tbias = _gpu.FromArray(bias, n);
        _gpu.Gemm(tc, ta, transposeA, tb, transposeB, alpha, beta, tbias, activation);
        float[] got = _gpu.ToArray(tc);
        double lipschitz = activation.Kind == ActivationKind.Gelu ? 1.2 : 1.0;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double rounded = 0, exact = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    float x = transposeA ? a[p * m + i] : a[i * k + p], y = transposeB ? b[j * k + p] : b[p * n + j];
                    rounded += (double)Tf32(x) * Tf32(y);
                    exact += (double)x * y;
                    magnitude += Math.Abs((double)x * y);
                }
                double rest = beta * c[i * n + j] + bias[j];
                double scale = Math.Abs(alpha) * magnitude + Math.Abs(beta * c[i * n + j]) + Math.Abs(bias[j]);
                double reference = Apply(activation, alpha * rounded + rest), value = got[i * n + j];
                // Float32 sums of exact TF32 products: the tensor cores' adds are not specified as round-to-nearest
                // (they may truncate, up to 1 ulp), hence 2·(K + 4) ulps of the magnitude, plus the activation's ulps.
                double summation = 2 * (k + 4) * Ulp * scale * lipschitz + 16 * Ulp * Math.Abs(reference);
                Assert.That(value, Is.EqualTo(reference).Within(summation),
                    $"C[{i},{j}] vs TF32-rounded float64 ({m}x{n}x{k}, {transposeA}/{transposeB}, offset {offset})");
                // Against the exact product each factor carries a relative rounding up to 2^-11, so each product up to
                // 2^-10 + 2^-22: the documented TF32 bound of GemmPrecision.Tf32.
                double tf32 = (Math.ScaleB(1, -10) + Math.ScaleB(1, -22)) * Math.Abs(alpha) * magnitude * lipschitz;
                Assert.That(value, Is.EqualTo(Apply(activation, alpha * exact + rest)).Within(tf32 + summation),
                    $"C[{i},{j}] vs exact float64 ({m}x{n}x{k}, {transposeA}/{transposeB}, offset {offset})");
            }
        }
    }

    /// <summary>cvt.rna.tf32.f32 on the host: to nearest, ties away from zero, keeping 10 mantissa bits.</summary>
    private static float Tf32(float x) =>
        BitConverter.UInt32BitsToSingle((BitConverter.SingleToUInt32Bits(x) + 0x1000u) & 0xffffe000u);

    private static double Apply(Activation activation, double x) => activation.Kind switch
    {
        ActivationKind.ReLU => Math.Max(x, 0),
        ActivationKind.Gelu => x / (1 + Math.Exp(-1.5957691216057308 * (x + 0.044715 * x * x * x))),
        _ => x,
    };

    private static float[] Random(int seed, int n)
    {
        var random = new Random(seed);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }
}
