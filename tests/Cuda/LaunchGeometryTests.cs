using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>The launch-geometry arithmetic, as pure functions.</summary>
[TestFixture]
public sealed class LaunchGeometryTests
{
    [TestCase(0L, 256, 1u)]
    [TestCase(1L, 256, 1u)]
    [TestCase(256L, 256, 1u)]
    [TestCase(257L, 256, 2u)]
    [TestCase(1_000_000L, 8, 125_000u)]
    [TestCase(int.MaxValue, 1, (uint)int.MaxValue)]
    [TestCase(549_755_813_632L, 256, (uint)int.MaxValue)]
    public void BlocksIsTheCeilingAndAtLeastOne(long items, int perBlock, uint expected) =>
        Assert.That(LaunchGeometry.Blocks(items, perBlock), Is.EqualTo(expected));

    [Test]
    public void BlocksBeyondTheGridLimitThrowBeforeLaunch()
    {
        var error = Assert.Throws<ArgumentException>(() => LaunchGeometry.Blocks(549_755_813_633L, 256));
        Assert.That(error!.Message, Does.Contain("2147483648 blocks").And.Contain("grid limit"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LaunchGeometry.Blocks(-1, 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => LaunchGeometry.Blocks(10, 0));
    }

    [TestCase(0L, 132, 1u)]
    [TestCase(1000L, 132, 4u)]
    [TestCase(256L * 1056, 132, 1056u)]
    [TestCase(256L * 1056 + 1, 132, 1056u)]
    [TestCase(1_000_000_000L, 132, 1056u)]
    [TestCase(1_000_000_000L, 40, 320u)]
    public void GridStrideBlocksStopAtEightPerMultiprocessor(long items, int multiprocessors, uint expected) =>
        Assert.That(LaunchGeometry.GridStrideBlocks(items, 256, multiprocessors), Is.EqualTo(expected));

    [Test]
    public void ElementwiseIsAOneDimensionalGridOf256ThreadBlocks()
    {
        Assert.That(LaunchGeometry.Elementwise(300_001, 46), Is.EqualTo(new LaunchShape(368, 256)));
        Assert.That(LaunchGeometry.Elementwise(5, 46), Is.EqualTo(new LaunchShape(1, 256, 1, 1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LaunchGeometry.Elementwise(5, 0));
    }

    [Test]
    public void SquaredNormUsesAFixedGridIndependentOfTheDevice() =>
        // The partial-sum order depends on the grid, so it must not follow the SM count (kernels.cu, squared_norm).
        Assert.That(CudaBackend.SquaredNormBlocks, Is.EqualTo(256));
}
