using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Stochastic;

/// <summary>The AVX2 Philox and Box–Muller against the scalar ones, bit for bit, including counter carries.</summary>
public class PhiloxVectorTests
{
    [SetUp]
    public void RequireAvx2()
    {
        if (!PhiloxVector.IsSupported) Assert.Ignore("No AVX2 on this machine: the SIMD kernels use the scalar Philox.");
    }

    [TestCase(0UL, 0UL, 0UL)]
    [TestCase(0x9E3779B97F4A7C15UL, 3UL, 0xFFFFFFFDUL)]  // lanes 3..7 carry into the high counter word
    [TestCase(ulong.MaxValue, ulong.MaxValue, 0xFFFFFFFFFFFFFFFCUL)]  // and wrap around 2⁶⁴ like ulong arithmetic
    [TestCase(12345UL, (1UL << 32) + 7, 0x123456789UL)]
    public void WordsMatchTheScalarPhilox(ulong seed, ulong offset, ulong firstBlock)
    {
        var words = new uint[PhiloxVector.Words];
        PhiloxVector.Generate(seed, offset, firstBlock, words);
        for (int b = 0; b < PhiloxVector.Blocks; b++)
        {
            var (x0, x1, x2, x3) = Philox.Block(seed, offset, unchecked(firstBlock + (ulong)b));
            Assert.That((words[4 * b], words[4 * b + 1], words[4 * b + 2], words[4 * b + 3]), Is.EqualTo((x0, x1, x2, x3)), $"block {b}");
        }
    }

    [Test]
    public void NormalsMatchTheScalarBoxMullerOnAMillionSamples()
    {
        var normals = new float[PhiloxVector.Words];
        foreach (var (seed, offset) in StochasticTestSupport.Streams)
        {
            for (ulong first = 0; first < (1 << 15); first += PhiloxVector.Blocks)
            {
                PhiloxNormalVector.Generate(seed, offset, first, normals);
                for (int j = 0; j < normals.Length; j++)
                {
                    float expected = PhiloxNormal.Element(seed, offset, 4 * first + (ulong)j);
                    if (BitConverter.SingleToUInt32Bits(normals[j]) != BitConverter.SingleToUInt32Bits(expected))
                        Assert.Fail($"seed {seed}, offset {offset}, element {4 * first + (ulong)j}: {normals[j]} vs {expected}");
                }
            }
        }
    }
}
