using System.Runtime.Intrinsics;
using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Stochastic;

/// <summary>The AVX-512 and AVX2 element-order Philox paths against the scalar Philox, bit for bit, and the integer
/// form of the keep rule against <see cref="Philox.Keep"/>.</summary>
public class PhiloxVector512Tests
{
    private static readonly (ulong Seed, ulong Offset, ulong FirstBlock)[] Cases =
    [
        (0UL, 0UL, 0UL),
        (0x9E3779B97F4A7C15UL, 3UL, 0xFFFFFFF5UL),  // lanes 11..15 carry into the high counter word
        (ulong.MaxValue, ulong.MaxValue, 0xFFFFFFFFFFFFFFF8UL),  // and wrap around 2⁶⁴ like ulong arithmetic
        (12345UL, (1UL << 32) + 7, 0x123456789UL),
    ];

    [TestCaseSource(nameof(Cases))]
    public void Avx512WordsInElementOrderMatchTheScalarPhilox((ulong Seed, ulong Offset, ulong FirstBlock) c)
    {
        if (!PhiloxVector512.IsSupported) Assert.Ignore("No AVX-512 on this machine.");
        var keys = PhiloxVector512.RoundKeys.Create(c.Seed);
        var (e0, e1, e2, e3) = PhiloxVector512.GenerateElements(keys, c.Offset, c.FirstBlock);
        var words = new uint[PhiloxVector512.Words];
        e0.CopyTo(words.AsSpan(0));
        e1.CopyTo(words.AsSpan(16));
        e2.CopyTo(words.AsSpan(32));
        e3.CopyTo(words.AsSpan(48));
        AssertBlocks(c, words);
    }

    [TestCaseSource(nameof(Cases))]
    public void Avx2WordsInElementOrderMatchTheScalarPhilox((ulong Seed, ulong Offset, ulong FirstBlock) c)
    {
        if (!PhiloxVector.IsSupported) Assert.Ignore("No AVX2 on this machine.");
        var (e0, e1, e2, e3) = PhiloxVector.GenerateElements(c.Seed, c.Offset, c.FirstBlock);
        var words = new uint[PhiloxVector.Words];
        e0.CopyTo(words.AsSpan(0));
        e1.CopyTo(words.AsSpan(8));
        e2.CopyTo(words.AsSpan(16));
        e3.CopyTo(words.AsSpan(24));
        AssertBlocks(c, words);
    }

    [Test]
    public void KeepThresholdIsTheKeepRule()
    {
        float[] ps = [0f, 1e-30f, 1f / 16777216f, 0.2f, 0.5f, 0.99999994f, BitConverter.Int32BitsToSingle(1)];
        uint[] words = [0, 1, 255, 256, 257, 0x33333300, 0x333333FF, 0x33333400, 0x7FFFFFFF, 0x80000000, 0xFFFFFEFF, 0xFFFFFF00, uint.MaxValue];
        foreach (float p in ps)
        {
            uint threshold = PhiloxMask<float>.KeepThreshold(p);
            foreach (uint word in words)
                Assert.That(word >= threshold, Is.EqualTo(Philox.Keep(word, p)), $"p {p}, word {word:X8}");
            // Around the threshold itself, where an off-by-one would show.
            foreach (uint word in new[] { threshold - 1, threshold, threshold + 255, threshold + 256 })
                Assert.That(word >= threshold, Is.EqualTo(Philox.Keep(word, p)), $"p {p}, word {word:X8}");
        }
    }

    private static void AssertBlocks((ulong Seed, ulong Offset, ulong FirstBlock) c, uint[] words)
    {
        for (int b = 0; b < words.Length / 4; b++)
        {
            var (x0, x1, x2, x3) = Philox.Block(c.Seed, c.Offset, unchecked(c.FirstBlock + (ulong)b));
            Assert.That((words[4 * b], words[4 * b + 1], words[4 * b + 2], words[4 * b + 3]), Is.EqualTo((x0, x1, x2, x3)), $"block {b}");
        }
    }
}
