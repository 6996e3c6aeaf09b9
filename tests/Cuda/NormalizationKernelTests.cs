using System.Text.RegularExpressions;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>What of the normalisation kernels can be checked without a GPU: launch geometry, the tile constants
/// shared with kernels.cu, and the documented sections (the numbers are checked by the "cuda" conformance
/// fixtures).</summary>
[TestFixture]
public sealed class NormalizationKernelTests
{
    [TestCase(1, 1u)]
    [TestCase(32, 1u)]
    [TestCase(33, 2u)]
    [TestCase(300, 10u)]
    [TestCase(100_000, 3125u)]
    public void PerFeatureLaunchHasOneBlockOf32By8ThreadsPer32Columns(int features, uint blocks) =>
        Assert.That(CudaBackend.PerFeature(features), Is.EqualTo(new LaunchShape(blocks, 32, GridY: 1, BlockY: 8)));

    [TestCase(1, 5, 1u, 1u)]
    [TestCase(8, 32, 1u, 1u)]
    [TestCase(9, 33, 2u, 2u)]
    [TestCase(524_280, 1, 65_535u, 1u)]
    [TestCase(10_000_000, 64, 65_535u, 2u)]
    public void InferenceLaunchCapsTheRowBlocksAtTheGridLimit(int rows, int features, uint rowBlocks, uint columnBlocks) =>
        Assert.That(CudaBackend.Inference(rows, features),
            Is.EqualTo(new LaunchShape(columnBlocks, 32, GridY: rowBlocks, BlockY: 8)));

    [TestCase(16_384, 1_024, 1_024)]   // 32 column tiles × 16 splits = 512 blocks
    [TestCase(128, 512, 64)]           // the MLP's batch: 2 splits of the 64-row minimum
    [TestCase(2, 3, 2)]                // fewer rows than a split: one split
    [TestCase(100_000, 1, 1_563)]      // one column tile: the 64-split cap
    [TestCase(1_000, 1_000_000, 1_000)] // more column tiles than the target: one split
    public void BatchNormSplitsFillTheGridWithinTheirLimits(int rows, int features, int rowsPerSplit)
    {
        Assert.That(CudaBackend.RowsPerSplit(rows, features), Is.EqualTo(rowsPerSplit));
        int splits = CudaBackend.Splits(rows, rowsPerSplit);
        Assert.That(splits, Is.InRange(1, CudaBackend.MaxSplits));
        Assert.That((long)(splits - 1) * rowsPerSplit, Is.LessThan(rows), "no empty split");
        Assert.That(CudaBackend.PerSplit(rows, features, rowsPerSplit),
            Is.EqualTo(new LaunchShape((uint)((features + 31) / 32), 32, GridY: (uint)splits, BlockY: 8)));
    }

    [TestCase(16_384, 1_024, 32u, 16u)]
    [TestCase(128, 512, 16u, 16u)]
    [TestCase(2, 3, 1u, 1u)]
    [TestCase(1_000, 1_000_000, 31_250u, 1u)]
    public void BatchNormNormalisingLaunchHasAboutTheTargetBlocks(int rows, int features, uint columnBlocks, uint rowBlocks) =>
        Assert.That(CudaBackend.SplitRows(rows, features), Is.EqualTo(new LaunchShape(columnBlocks, 32, GridY: rowBlocks, BlockY: 8)));

    [TestCase(1, 1, 1u)]
    [TestCase(8, 1, 1u)]
    [TestCase(3, 3, 2u)]
    [TestCase(1000, 300, 37_500u)]
    public void PerGroupLaunchHasOneWarpPerRowAndGroup(int rows, int groups, uint blocks) =>
        Assert.That(CudaBackend.PerGroup(rows, groups), Is.EqualTo(new LaunchShape(blocks, 256)));

    [Test]
    public void TileConstantsAreTheOnesOfKernelsCu()
    {
        var constants = Regex.Match(KernelSource.KernelsCu(), @"NORM_TILE = (?<tile>\d+), NORM_SLICES = (?<slices>\d+);");
        Assert.That(constants.Success, Is.True, "NORM_TILE and NORM_SLICES in kernels.cu");
        Assert.That(int.Parse(constants.Groups["tile"].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(CudaBackend.NormTile));
        Assert.That(int.Parse(constants.Groups["slices"].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(CudaBackend.NormSlices));
    }

    /// <summary>The per-feature blocks have the 256 threads of every other kernel, which any register count a
    /// kernel compiles to fits (no launch bounds needed).</summary>
    [Test]
    public void PerFeatureBlocksHave256Threads() =>
        Assert.That(CudaBackend.NormTile * CudaBackend.NormSlices, Is.EqualTo(LaunchGeometry.BlockThreads));

    [TestCase("batchnorm_forward_training")]
    [TestCase("batchnorm_forward_inference")]
    [TestCase("batchnorm_backward")]
    [TestCase("group_norm_forward")]
    [TestCase("group_norm_backward")]
    public void SectionStatesItsLaunchAndNapkinMath(string section) =>
        Assert.That(KernelSource.SectionComment(KernelSource.KernelsCu(), section),
            Does.Contain("Launch:").And.Contain("Napkin math:").And.Contain("IBackend."));
}
