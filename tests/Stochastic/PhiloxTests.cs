using NUnit.Framework;

namespace CudaNet.Tests.Stochastic;

/// <summary>Philox4x32-10 known answers (Random123's kat_vectors) and the shared stream layout (DESIGN.md §6).</summary>
public class PhiloxTests
{
    [TestCase(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
        0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [TestCase(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
        0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [TestCase(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u,
        0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void GenerateMatchesRandom123KnownAnswers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
        uint x0, uint x1, uint x2, uint x3) =>
        Assert.That(Philox.Generate((c0, c1, c2, c3), (k0, k1)), Is.EqualTo((x0, x1, x2, x3)));

    [Test]
    public void BlockPutsSeedInTheKeyAndBlockThenOffsetInTheCounter()
    {
        ulong seed = 0x299f31d0a4093822, offset = 0x0370734413198a2e, block = 0x85a308d3243f6a88;
        Assert.That(Philox.Block(seed, offset, block), Is.EqualTo((0xd16cfe09u, 0x94fdcceb, 0x5001e420, 0x24126ea1)));
    }

    [Test]
    public void UniformsAreTheTop24BitsAndTheKeepRuleIsUniformAtLeastP()
    {
        Assert.That(Philox.ToUniform(0), Is.EqualTo(0.0f));
        Assert.That(Philox.ToUniform(0xffffffff), Is.EqualTo(1.0f - 1.0f / 16777216));
        Assert.That(Philox.ToUniform(0x800000ff), Is.EqualTo(0.5f));
        Assert.That(PhiloxNormal.ToUniformOpenZero(0), Is.EqualTo(1.0f / 16777216));
        Assert.That(PhiloxNormal.ToUniformOpenZero(0xffffffff), Is.EqualTo(1.0f));
        Assert.That(Philox.Keep(0x80000000, 0.5f), Is.True);
        Assert.That(Philox.Keep(0x7fffffff, 0.5f), Is.False);
        Assert.That(Philox.Keep(0, 0.0f), Is.True, "p = 0 keeps everything");
    }

    /// <summary>
    /// The normals of two blocks as committed bits, from the independent float32 numpy implementation
    /// <c>tests/golden/philox_normal.py</c>: a CUDA port (or any change here) must reproduce them exactly.
    /// </summary>
    [Test]
    public void NormalsMatchTheIndependentFloat32Implementation()
    {
        uint[] expected = PhiloxNormalGolden.Bits;
        for (int i = 0; i < expected.Length; i++)
        {
            float z = PhiloxNormal.Element(PhiloxNormalGolden.Seed, PhiloxNormalGolden.Offset, (ulong)i);
            Assert.That(BitConverter.SingleToUInt32Bits(z), Is.EqualTo(expected[i]), $"element {i}: {z}");
        }
    }

    [Test]
    public void NormalPairIsBoxMullerOfTheTwoWords()
    {
        uint radiusWord = 0x12345678, angleWord = 0x9abcdef0;
        double u1 = ((radiusWord >> 8) + 1) / 16777216.0, u2 = (angleWord >> 8) / 16777216.0;
        double r = Math.Sqrt(-2 * Math.Log(u1));
        var (z0, z1) = PhiloxNormal.Pair(radiusWord, angleWord);
        Assert.That(z0, Is.EqualTo(r * Math.Cos(2 * Math.PI * u2)).Within(4e-7 * r));
        Assert.That(z1, Is.EqualTo(r * Math.Sin(2 * Math.PI * u2)).Within(4e-7 * r));
        Assert.That(PhiloxNormal.Pair(0xffffffff, 0x12345678), Is.EqualTo((0.0f, 0.0f)), "u1 = 1 gives radius 0");
    }
}
