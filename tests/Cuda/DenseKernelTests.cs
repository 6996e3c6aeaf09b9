using System.Text.RegularExpressions;
using CudaNet.Cuda;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>The dense-family kernels without a GPU: the numbers the launchers and kernels.cu must agree on (activation
/// kinds, tile sizes) and the launch geometry. The PTX entries and their parameter types are in
/// <see cref="KernelTableTests"/>.</summary>
[TestFixture]
public sealed class DenseKernelTests
{
    private static string Source => File.ReadAllText(Path.Combine(RepositoryRoot(), "kernels.cu"));

    [Test]
    public void KernelActivationNumbersAreThoseOfActivationKind()
    {
        // The launchers pass (int)ActivationKind; the kernels switch on dense_activation_kind.
        var kernelKinds = Regex.Matches(Source, @"ACTIVATION_(?<name>[A-Z]+) = (?<value>\d+),")
            .ToDictionary(match => match.Groups["name"].Value, match => int.Parse(match.Groups["value"].Value));
        var engineKinds = Enum.GetValues<ActivationKind>().ToDictionary(kind => kind.ToString().ToUpperInvariant(), kind => (int)kind);
        Assert.That(kernelKinds, Is.EquivalentTo(engineKinds));
    }

    [Test]
    public void TileSizesAreThoseOfTheKernels()
    {
        string source = Source;
        int Constant(string name)
        {
            var match = Regex.Match(source, $@"\b{name} = (?<value>\d+)");
            Assert.That(match.Success, Is.True, name);
            return int.Parse(match.Groups["value"].Value);
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Constant("GEMM_TILE_M"), Is.EqualTo(DenseGeometry.GemmTileRows));
            Assert.That(Constant("GEMM_TILE_N"), Is.EqualTo(DenseGeometry.GemmTileColumns));
            Assert.That(Constant("GEMM_TILE_M") / Constant("GEMM_THREAD_M") * (Constant("GEMM_TILE_N") / Constant("GEMM_THREAD_N")),
                Is.EqualTo(DenseGeometry.GemmThreads));
            Assert.That(Constant("PRELU_BACKWARD_COLUMNS"), Is.EqualTo(DenseGeometry.PReLUBackwardColumns));
            Assert.That(Constant("PRELU_BACKWARD_SLICES"), Is.EqualTo(DenseGeometry.PReLUBackwardSlices));
        }
    }

    [TestCase(1, 1, 1u)]
    [TestCase(64, 64, 1u)]
    [TestCase(65, 64, 2u)]
    [TestCase(64, 65, 2u)]
    [TestCase(129, 271, 15u)]
    [TestCase(128, 512, 16u)]
    [TestCase(60_000, 10, 938u)]
    public void GemmLaunchesOneBlockPerTileOfC(int m, int n, uint blocks)
    {
        Assert.That(DenseGeometry.Gemm(m, n), Is.EqualTo(new LaunchShape(blocks, 256)));
        Assert.That(DenseGeometry.GemmRowTiles(m), Is.EqualTo((uint)((m + 63) / 64)));
    }

    [Test]
    public void GemmGridIsOneDimensionalSoWideOutputsNeedNoSecondAxis()
    {
        // 5M columns are 78,125 column tiles: more than a grid's y dimension (65535) holds, fine on x.
        Assert.That(DenseGeometry.Gemm(1, 5_000_000).GridX, Is.EqualTo(78_125u));
        Assert.That(DenseGeometry.Gemm(1, 5_000_000).GridY, Is.EqualTo(1u));
        // The tile count never exceeds M·N, which a tensor keeps below 2^31.
        Assert.That(DenseGeometry.Gemm(46_340, 46_340).GridX, Is.EqualTo(725u * 725u));
    }

    [TestCase(1, 1u)]
    [TestCase(32, 1u)]
    [TestCase(33, 2u)]
    [TestCase(512, 16u)]
    public void PReLUBackwardUsesColumnSumGeometry(int features, uint blocks) =>
        Assert.That(DenseGeometry.PReLUBackward(features), Is.EqualTo(new LaunchShape(blocks, 32, BlockY: 8)));

    [TestCase(1, 1u)]
    [TestCase(8, 1u)]
    [TestCase(9, 2u)]
    [TestCase(1000, 125u)]
    public void SoftmaxRunsOneWarpPerRow(int rows, uint blocks) =>
        Assert.That(DenseGeometry.Softmax(rows), Is.EqualTo(new LaunchShape(blocks, 256)));

    private static string RepositoryRoot()
    {
        string start = TestContext.CurrentContext.TestDirectory;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CudaNet.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"no CudaNet.sln above {start}");
    }
}

/// <summary>The dense kernels on a GPU (ignored without one): results are the same bits on every run (no atomics,
/// fixed geometry), and the aliasing the contract allows gives the out-of-place result.</summary>
[TestFixture]
public sealed class DenseKernelDeterminismTests
{
    private IBackend<float> _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.Create("cuda");

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [Test]
    public void GemmIsBitIdenticalAcrossRuns()
    {
        var a = _backend.FromArray(TestData.Uniform<float>(1, 300 * 257), 257, 300);
        var b = _backend.FromArray(TestData.Uniform<float>(2, 129 * 257), 129, 257);
        var bias = _backend.FromArray(TestData.Uniform<float>(3, 129), 129);
        float[] Run()
        {
            var c = _backend.FromArray(TestData.Uniform<float>(4, 300 * 129), 300, 129);
            _backend.Gemm(c, a, true, b, true, 0.5, 1, bias, Activation.Gelu);
            return _backend.ToArray(c);
        }
        Close.Exact<float>(Run(), Run(), "Gemm run 1 vs run 2");
    }

    [Test]
    public void PReLUSlopeGradientIsBitIdenticalAcrossRuns()
    {
        const int rows = 3000, features = 70;
        var x = _backend.FromArray(TestData.Normal<float>(1, rows * features), rows, features);
        var dy = _backend.FromArray(TestData.Normal<float>(2, rows * features), rows, features);
        var alpha = _backend.FromArray(TestData.Uniform<float>(3, features), features);
        float[] Run()
        {
            var dAlpha = _backend.FromArray(new float[features], features);
            _backend.PReLUBackward(_backend.FromArray(new float[rows * features], rows, features), dAlpha, dy, x, alpha);
            return _backend.ToArray(dAlpha);
        }
        Close.Exact<float>(Run(), Run(), "dα run 1 vs run 2");
    }

    [Test]
    public void InPlaceSoftmaxAndPReLUMatchOutOfPlace()
    {
        const int rows = 37, columns = 70;
        var data = TestData.Normal<float>(5, rows * columns, std: 5);
        var outOfPlace = _backend.FromArray(new float[data.Length], rows, columns);
        _backend.SoftmaxForward(outOfPlace, _backend.FromArray(data, rows, columns));
        var inPlace = _backend.FromArray(data, rows, columns);
        _backend.SoftmaxForward(inPlace, inPlace);
        Close.Exact<float>(_backend.ToArray(inPlace), _backend.ToArray(outOfPlace), "softmax y = x");

        var alpha = _backend.FromArray(TestData.Uniform<float>(6, columns), columns);
        var dy = TestData.Normal<float>(7, rows * columns);
        var x = _backend.FromArray(data, rows, columns);
        var dx = _backend.FromArray(new float[data.Length], rows, columns);
        var dAlpha = _backend.FromArray(new float[columns], columns);
        _backend.PReLUBackward(dx, dAlpha, _backend.FromArray(dy, rows, columns), x, alpha);
        var shared = _backend.FromArray(dy, rows, columns);
        var dAlphaShared = _backend.FromArray(new float[columns], columns);
        _backend.PReLUBackward(shared, dAlphaShared, shared, x, alpha);
        Close.Exact<float>(_backend.ToArray(shared), _backend.ToArray(dx), "PReLU dx = dy");
        Close.Exact<float>(_backend.ToArray(dAlphaShared), _backend.ToArray(dAlpha), "PReLU dα with dx = dy");
    }
}
