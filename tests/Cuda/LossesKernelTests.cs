using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>What of the loss kernels can be checked without a GPU: the fixed grid whose float64 partials share the
/// squared_norm buffer, and the documented sections.</summary>
[TestFixture]
public sealed class LossesKernelTests
{
    [Test]
    public void LossPartialsFillTheSharedPartialsBufferExactly()
    {
        Assert.That(CudaBackend.LossBlocks, Is.EqualTo(128));
        Assert.That(CudaBackend.LossBlocks * sizeof(double), Is.EqualTo(CudaBackend.SquaredNormBlocks * sizeof(float)));
        Assert.That(CudaBackend.LossPass, Is.EqualTo(new LaunchShape(128, 256)));
    }

    [Test]
    public void KernelsCuNamesTheFixedGridItAssumes() =>
        Assert.That(KernelSource.KernelsCu(), Does.Contain($"CudaBackend.LossBlocks ({CudaBackend.LossBlocks})"));

    [TestCase("loss_mean_combine")]
    [TestCase("softmax_cross_entropy_forward")]
    [TestCase("mse_loss_forward")]
    [TestCase("binary_cross_entropy_with_logits_forward")]
    public void SectionStatesItsLaunchAndNapkinMath(string section) =>
        Assert.That(KernelSource.SectionComment(KernelSource.KernelsCu(), section),
            Does.Contain("Launch:").And.Contain("Napkin math:"));

    /// <summary>Every float division and square root of the loss kernels is IEEE (div.rn, sqrt.rn), none an
    /// approximation, so the loss matches the CPU's formula to the float ulp.</summary>
    [Test]
    public void LossKernelsUseNoApproximateArithmetic()
    {
        foreach (string arch in KernelSource.Architectures)
            foreach (string kernel in new[] { "softmax_cross_entropy_forward", "mse_loss_forward",
                         "binary_cross_entropy_with_logits_forward", "loss_mean_combine" })
                Assert.That(KernelSource.EntryBody(arch, kernel), Does.Not.Contain(".approx").And.Not.Contain("div.full"),
                    $"{kernel} {arch}");
    }
}
