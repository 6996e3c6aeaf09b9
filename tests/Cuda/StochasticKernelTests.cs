using System.Text.RegularExpressions;
using CudaNet.Cpu;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>What of the stochastic kernels can be checked without a GPU: the dropout scale against the CPU's, and
/// the PTX properties that bit-identity with the CPU rests on (DESIGN.md §6).</summary>
[TestFixture]
public sealed class StochasticKernelTests
{
    private static readonly string[] BitExactKernels = ["philox_mask_forward", "gaussian_noise_forward"];

    /// <summary>The launcher's 1/(1-p) is the factor the CPU applies to kept elements, bit for bit.</summary>
    [Test]
    public void DropoutScaleIsTheCpusScale()
    {
        using var cpu = new CpuBackend<float>(CpuKernels.Reference);
        using var ones = cpu.FromArray(Enumerable.Repeat(1f, 256).ToArray(), 256);
        using var y = cpu.Allocate<float>(256);
        foreach (float p in new[] { 0f, 1e-7f, 0.1f, 0.3f, 1f / 3, 0.5f, 0.7f, 0.9f, 0.999f, 0.99999994f })
        {
            cpu.DropoutForward(y, ones, p, seed: 5, offset: 1);
            var kept = cpu.ToArray(y).Where(value => value != 0).Distinct().ToArray();
            Assert.That(kept, Has.Length.LessThanOrEqualTo(1), $"p = {p}");
            if (kept.Length == 1)
                Assert.That(BitConverter.SingleToInt32Bits(CudaBackend.DropoutScale(p)),
                    Is.EqualTo(BitConverter.SingleToInt32Bits(kept[0])), $"p = {p}");
        }
        Assert.That(CudaBackend.DropoutScale(0f), Is.EqualTo(1f), "p = 0 is the identity");
    }

    /// <summary>No multiply-add fused (fma, or a plain mul/add that ptxas may fuse), and only correctly rounded
    /// division and square root: the CPU rounds each operation once, so the GPU must too.</summary>
    [Test]
    public void BitExactKernelsRoundEveryFloatOperationLikeTheCpu()
    {
        var unrounded = new Regex(@"\b(fma|mad)\.(rn\.)?f32|\b(mul|add|sub)\.f32\b|\.approx|div\.full|rsqrt|\.ftz");
        foreach (string arch in KernelSource.Architectures)
            foreach (string kernel in BitExactKernels)
            {
                string body = KernelSource.EntryBody(arch, kernel);
                Assert.That(unrounded.Match(body).Value, Is.Empty, $"{kernel} {arch}");
                Assert.That(body, Does.Contain("mul.rn.f32"), $"{kernel} {arch}");
            }
        Assert.That(KernelSource.EntryBody("sm_75", "gaussian_noise_forward"),
            Does.Contain("div.rn.f32").And.Contain("sqrt.rn.f32"));
    }

    [TestCase("philox_mask_forward")]
    [TestCase("gaussian_noise_forward")]
    [TestCase("portable_log")]
    public void SectionStatesItsLaunchAndNapkinMath(string section) =>
        Assert.That(KernelSource.SectionComment(KernelSource.KernelsCu(), section),
            Does.Contain("Launch:").And.Contain("Napkin math:"));

    /// <summary>The device PortableMath keeps the CPU's constants, written the same way (the same decimal literal
    /// gives the same float in C# and C++).</summary>
    [Test]
    public void DeviceMathUsesTheConstantsOfPortableMath()
    {
        string source = KernelSource.KernelsCu();
        foreach (var (name, value) in new (string, float)[]
                 {
                     ("ln2Hi", PortableMath.Ln2Hi), ("ln2Lo", PortableMath.Ln2Lo), ("lg1", PortableMath.Lg1),
                     ("lg2", PortableMath.Lg2), ("lg3", PortableMath.Lg3), ("lg4", PortableMath.Lg4),
                     ("s0", PortableMath.S0), ("s1", PortableMath.S1), ("s2", PortableMath.S2), ("s3", PortableMath.S3),
                     ("c1", PortableMath.C1), ("c2", PortableMath.C2), ("c3", PortableMath.C3), ("c4", PortableMath.C4),
                 })
        {
            var literal = Regex.Match(source, $@"\b{name} = (?<value>-?[0-9.e+-]+)f");
            Assert.That(literal.Success, Is.True, name);
            Assert.That(float.Parse(literal.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(value), name);
        }
    }
}
