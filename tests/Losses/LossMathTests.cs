using System.Numerics;
using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Losses;

/// <summary>The vector exp and the log1p the loss kernels are built on, against the BCL's scalar functions.</summary>
public sealed class LossMathTests
{
    [Test]
    public void ExpOfNonPositiveIsWithinTwoUlpsInFloat()
    {
        var random = new Random(51);
        for (int i = 0; i < 20_000; i++)
        {
            float x = -(float)(random.NextDouble() * 87.33);
            float actual = LossMath.ExpOfNonPositive(new Vector<float>(x))[0];
            float expected = (float)Math.Exp(x);
            Assert.That(Math.Abs(actual - expected), Is.LessThanOrEqualTo(2 * (MathF.BitIncrement(expected) - expected)), $"e^{x:R}");
        }
    }

    [Test]
    public void ExpOfNonPositiveIsWithinTwoUlpsInDouble()
    {
        var random = new Random(52);
        for (int i = 0; i < 20_000; i++)
        {
            double x = -random.NextDouble() * 708;
            double actual = LossMath.ExpOfNonPositive(new Vector<double>(x))[0];
            double expected = Math.Exp(x);
            Assert.That(Math.Abs(actual - expected), Is.LessThanOrEqualTo(2 * (Math.BitIncrement(expected) - expected)), $"e^{x:R}");
        }
    }

    [TestCase(0.0, 1.0)]
    [TestCase(-1e-30, 1.0)]
    [TestCase(-1e30, 0.0)]
    [TestCase(double.NegativeInfinity, 0.0)]
    [TestCase(double.NaN, double.NaN)]
    public void ExpOfNonPositiveSpecialValues(double x, double expected)
    {
        Assert.That(LossMath.ExpOfNonPositive(new Vector<double>(x))[0], Is.EqualTo(expected));
        Assert.That(LossMath.ExpOfNonPositive(new Vector<float>((float)x))[0], Is.EqualTo((float)expected));
    }

    /// <summary>log1p(z) for z from 1 down to far below the epsilon of 1, where log(1 + z) would return 0.</summary>
    [Test]
    public void Log1pKeepsRelativePrecisionForTinyArguments()
    {
        for (double z = 1; z > 1e-300; z *= 0.37)
        {
            // log1p(z) = 2·atanh(z/(2 + z)): no rounding of 1 + z, so accurate to a few ulps everywhere.
            double expected = 2 * Math.Atanh(z / (2 + z));
            const double tolerance = 1e-15;
            Assert.That(LossMath.Log1p(z), Is.EqualTo(expected).Within(tolerance * expected), $"scalar z = {z:R}");
            Assert.That(LossMath.Log1p(new Vector<double>(z))[0], Is.EqualTo(expected).Within(tolerance * expected), $"vector z = {z:R}");
            float zf = (float)z;
            if (zf == 0) continue;
            Assert.That(LossMath.Log1p(new Vector<float>(zf))[0], Is.EqualTo(LossMath.Log1p((double)zf)).Within(4e-7 * zf), $"float z = {zf:R}");
        }
    }
}
