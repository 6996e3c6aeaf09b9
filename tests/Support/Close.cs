using System.Numerics;
using NUnit.Framework;

namespace CudaNet.Tests.Support;

/// <summary>Tolerances of DESIGN.md §4 ("Parity").</summary>
public static class Tolerance
{
    /// <summary>Elementwise float32: SIMD vs reference, GPU vs CPU.</summary>
    public const double ElementwiseRtol = 1.3e-6, ElementwiseAtol = 1e-5;
    /// <summary>Reductions and GEMM (or a documented K-scaled bound).</summary>
    public const double ReductionRtol = 1e-3, ReductionAtol = 1e-3;
}

/// <summary>Array comparisons that report the worst element, like <c>torch.testing.assert_close</c>.</summary>
public static class Close
{
    /// <summary>Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise (NaN must match NaN).</summary>
    public static void All<T>(ReadOnlySpan<T> actual, ReadOnlySpan<T> expected, double rtol, double atol, string what = "")
        where T : INumberBase<T>
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = double.CreateChecked(actual[i]), e = double.CreateChecked(expected[i]);
            if (double.IsNaN(a) && double.IsNaN(e)) continue;
            if (a == e) continue; // also covers equal infinities
            double excess = Math.Abs(a - e) - (atol + rtol * Math.Abs(e));
            if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess)))
            {
                worst = i;
                worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess;
            }
        }
        if (worst >= 0)
            Assert.Fail($"{what}: element {worst} of {actual.Length} is {actual[worst]} but expected {expected[worst]} " +
                        $"(rtol {rtol}, atol {atol})");
    }

    /// <summary>Asserts bit-for-bit equality.</summary>
    public static void Exact<T>(ReadOnlySpan<T> actual, ReadOnlySpan<T> expected, string what = "") where T : IEquatable<T>
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        for (int i = 0; i < actual.Length; i++)
            if (!actual[i].Equals(expected[i]))
                Assert.Fail($"{what}: element {i} of {actual.Length} is {actual[i]} but expected {expected[i]}");
    }
}
