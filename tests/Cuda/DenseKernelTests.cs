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
            Assert.That(Constant("PRELU_BACKWARD_COLUMNS"), Is.EqualTo(DenseGeometry.PReLUBackwardColumns));
            Assert.That(Constant("PRELU_BACKWARD_SLICES"), Is.EqualTo(DenseGeometry.PReLUBackwardSlices));
        }
    }

    [Test]
    public void GemmConfigurationsAreTheTemplateArgumentsOfTheirEntryPoints()
    {
        // extern "C" __global__ void __launch_bounds__(THREADS) name(GEMM_PARAMETERS) {
        //     gemm_tile<BM, BN, BK, WM, WN, TM, TN, float4>(GEMM_ARGUMENTS);
        string source = Source;
        foreach (var configuration in GemmConfiguration.All)
        {
            foreach (bool vectorized in new[] { false, true })
            {
                string name = KernelNames.Of(configuration.KernelFor(vectorized));
                var entry = Regex.Match(source, @"__launch_bounds__\((?<threads>\d+)\) " + name + @"\(GEMM_PARAMETERS\) \{\s*" +
                    @"gemm_tile<(?<bm>\d+), (?<bn>\d+), \d+, (?<wm>\d+), (?<wn>\d+), \d+, \d+, (?<float4>true|false)>");
                Assert.That(entry.Success, Is.True, name);
                int Group(string group) => int.Parse(entry.Groups[group].Value);
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(name, Is.EqualTo($"gemm_forward_{configuration.TileRows}x{configuration.TileColumns}" +
                                                 (vectorized ? "_float4" : "")));
                    Assert.That(Group("bm"), Is.EqualTo(configuration.TileRows), name);
                    Assert.That(Group("bn"), Is.EqualTo(configuration.TileColumns), name);
                    Assert.That(Group("threads"), Is.EqualTo(configuration.Threads), name);
                    // gemm_tile's block: one warp per WM × WN warp tile.
                    Assert.That(Group("bm") / Group("wm") * (Group("bn") / Group("wn")) * 32, Is.EqualTo(configuration.Threads), name);
                    Assert.That(entry.Groups["float4"].Value, Is.EqualTo(vectorized ? "true" : "false"), name);
                }
            }
        }
    }

    // 132 SMs (H100 SXM, H200): the issue's shapes. The largest tile whose grid covers the SMs wins.
    [TestCase(4096, 4096, 132, 128)]
    [TestCase(2048, 2048, 132, 128)]
    [TestCase(1024, 1024, 132, 64)]
    [TestCase(1536, 1408, 132, 128)]
    [TestCase(128, 512, 132, 32)]
    [TestCase(128, 10, 132, 32)]
    [TestCase(128, 784, 132, 32)]
    [TestCase(512, 784, 132, 32)]
    [TestCase(512, 512, 132, 32)]
    [TestCase(768, 768, 132, 64)]
    // A T4 (40 SMs) fills with fewer blocks.
    [TestCase(1024, 1024, 40, 128)]
    [TestCase(512, 784, 40, 64)]
    [TestCase(1, 1, 1, 128)]
    public void GemmPicksTheLargestTileThatStillFillsTheDevice(int m, int n, int multiprocessors, int tile)
    {
        var configuration = GemmConfiguration.For(m, n, multiprocessors);
        Assert.That(configuration.TileRows, Is.EqualTo(tile));
        Assert.That(configuration.TileColumns, Is.EqualTo(tile));
        bool larger = GemmConfiguration.All.Any(other => other.TileRows > tile && other.Tiles(m, n) >= multiprocessors);
        Assert.That(larger, Is.False, "a larger tile would fill the device too");
    }

    [Test]
    public void GemmConfigurationsGoFromLargestToSmallest()
    {
        var tiles = GemmConfiguration.All.Select(configuration => configuration.TileRows * configuration.TileColumns);
        Assert.That(tiles, Is.Ordered.Descending);
        Assert.That(GemmConfiguration.All[^1], Is.SameAs(GemmConfiguration.Small));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmConfiguration.For(1, 1, 0));
    }

    [TestCase(0ul, 784, 0ul, 512, true)]
    [TestCase(4096ul, 4, 16ul, 8, true)]
    [TestCase(4ul, 784, 0ul, 512, false)]
    [TestCase(0ul, 784, 8ul, 512, false)]
    [TestCase(0ul, 10, 0ul, 512, false)]
    [TestCase(0ul, 512, 0ul, 1, false)]
    public void GemmLoadsFloat4OnlyFromAlignedRowsOfMultiplesOfFour(ulong a, int aRow, ulong b, int bRow, bool expected) =>
        Assert.That(GemmConfiguration.Vectorizable(a, aRow, b, bRow), Is.EqualTo(expected));

    [TestCaseSource(typeof(KernelSource), nameof(KernelSource.Architectures))]
    public void GemmEntryPointsKeepTheirRegisterTilesOutOfLocalMemory(string arch)
    {
        // The register tiles are indexed by unrolled constants only: a dynamic index would put them in .local
        // (off-chip), at many times the cost of a register. (Whether ptxas then spills shows only in its own output on
        // a machine with the CUDA toolkit.)
        foreach (var kernel in GemmConfiguration.All.SelectMany(configuration => new[] { configuration.Scalar, configuration.Vectorized }))
            Assert.That(KernelSource.EntryBody(arch, KernelNames.Of(kernel)), Does.Not.Contain(".local"), $"{kernel} in {arch}");
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
        var medium = GemmConfiguration.Medium;
        Assert.That(medium.Launch(m, n), Is.EqualTo(new LaunchShape(blocks, 256)));
        Assert.That(medium.RowTiles(m), Is.EqualTo((uint)((m + 63) / 64)));
        Assert.That(GemmConfiguration.Small.Launch(m, n).BlockX, Is.EqualTo(128u));
        Assert.That(GemmConfiguration.Large.Launch(m, n).GridX, Is.EqualTo((uint)(((m + 127) / 128) * ((n + 127) / 128))));
    }

    [Test]
    public void GemmGridIsOneDimensionalSoWideOutputsNeedNoSecondAxis()
    {
        // 5M columns are 156,250 column tiles of 32: more than a grid's y dimension (65535) holds, fine on x.
        Assert.That(GemmConfiguration.Small.Launch(1, 5_000_000).GridX, Is.EqualTo(156_250u));
        Assert.That(GemmConfiguration.Small.Launch(1, 5_000_000).GridY, Is.EqualTo(1u));
        // The tile count never exceeds M·N, which a tensor keeps below 2^31.
        Assert.That(GemmConfiguration.Small.Launch(46_340, 46_340).GridX, Is.EqualTo(1449u * 1449u));
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
