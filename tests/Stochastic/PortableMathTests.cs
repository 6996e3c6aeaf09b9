using NUnit.Framework;

namespace CudaNet.Tests.Stochastic;

/// <summary>
/// Accuracy of <see cref="PortableMath"/> against double-precision Math.Log / Math.Sin / Math.Cos, in ulps of the
/// float result, on every input the Gaussian sampler can produce and on dense sweeps beyond it.
/// </summary>
public class PortableMathTests
{
    private const int Top24 = 1 << 24;

    /// <summary>|actual - exact| in units of the last place of a float of magnitude |exact|.</summary>
    private static double UlpError(float actual, double exact)
    {
        double magnitude = Math.Max(Math.Abs(exact), double.Epsilon);
        double ulp = Math.ScaleB(1.0, Math.Max((int)Math.Floor(Math.Log2(magnitude)), -126) - 23);
        return Math.Abs(actual - exact) / ulp;
    }

    /// <summary>The largest error(i) over i in [start, end), computed on all cores in fixed chunks.</summary>
    private static double MaxOver(int start, int end, Func<int, double> error)
    {
        const int Chunks = 64;
        var worst = new double[Chunks];
        Parallel.For(0, Chunks, chunk =>
        {
            int lo = (int)(start + (long)(end - start) * chunk / Chunks), hi = (int)(start + (long)(end - start) * (chunk + 1) / Chunks);
            for (int i = lo; i < hi; i++) worst[chunk] = Math.Max(worst[chunk], error(i));
        });
        return worst.Max();
    }

    [Test]
    public void LogIsWithinOneUlpOnEveryBoxMullerInput()
    {
        double worst = MaxOver(0, Top24, k =>
        {
            float u = PhiloxNormal.ToUniformOpenZero((uint)k << 8);
            return UlpError(PortableMath.Log(u), Math.Log(u));
        });
        TestContext.Out.WriteLine($"Log: max error {worst:F3} ulp over the 2^24 inputs (k+1)·2^-24");
        Assert.That(worst, Is.LessThan(1.0));
        Assert.That(PortableMath.Log(1.0f), Is.EqualTo(0.0f), "log 1 must be exactly 0 (u1 = 1 gives radius 0)");
    }

    [Test]
    public void LogIsWithinOneUlpOnEveryFloatInOneToTwoAndOnASampleOfAllNormals()
    {
        static double Error(int bits)
        {
            float x = BitConverter.Int32BitsToSingle(bits);
            return UlpError(PortableMath.Log(x), Math.Log(x));
        }
        // [1, 2) holds the switch of the mantissa reduction at √2 ([1/2, 1) is covered by the Box–Muller inputs);
        // other binades only add k·ln 2, which the sample of every 997th normal float covers.
        double worst = Math.Max(
            MaxOver(BitConverter.SingleToInt32Bits(1.0f), BitConverter.SingleToInt32Bits(2.0f), Error),
            MaxOver(0, (BitConverter.SingleToInt32Bits(float.MaxValue) - 0x00800000) / 997, i => Error(0x00800000 + 997 * i)));
        TestContext.Out.WriteLine($"Log: max error {worst:F3} ulp on [1, 2) and every 997th normal float");
        Assert.That(worst, Is.LessThan(1.0));
    }

    [Test]
    public void SinCosTwoPiAreWithinOneAndAHalfUlpOnEveryBoxMullerAngle()
    {
        double worst = MaxOver(0, Top24, k =>
        {
            float u = Philox.ToUniform((uint)k << 8);
            var (sin, cos) = PortableMath.SinCosTwoPi(u);
            double angle = 2 * Math.PI * u;
            return Math.Max(UlpErrorNearZeros(sin, Math.Sin(angle)), UlpErrorNearZeros(cos, Math.Cos(angle)));
        });
        TestContext.Out.WriteLine($"SinCosTwoPi: max error {worst:F3} ulp (sin and cos) over the 2^24 angles k·2^-24");
        Assert.That(worst, Is.LessThan(1.5));
    }

    [Test]
    public void SinCosTwoPiAreExactAtTheQuadrantsAndPeriodicBeyondOneTurn()
    {
        Assert.That(PortableMath.SinCosTwoPi(0.0f), Is.EqualTo((0.0f, 1.0f)));
        Assert.That(PortableMath.SinCosTwoPi(0.25f), Is.EqualTo((1.0f, 0.0f)));
        Assert.That(PortableMath.SinCosTwoPi(0.5f), Is.EqualTo((0.0f, -1.0f)));
        Assert.That(PortableMath.SinCosTwoPi(0.75f), Is.EqualTo((-1.0f, 0.0f)));
        Assert.That(PortableMath.SinCosTwoPi(-0.25f), Is.EqualTo((-1.0f, 0.0f)));
        // Whole turns are removed exactly: 5 + 1/8 turns is exactly 1/8 turn.
        Assert.That(PortableMath.SinCosTwoPi(5.125f), Is.EqualTo(PortableMath.SinCosTwoPi(0.125f)));
        Assert.That(PortableMath.SinCosTwoPi(0.125f).Sin, Is.EqualTo((float)Math.Sqrt(0.5)).Within(1).Ulps);
    }

    /// <summary>Math.Sin(2π·u) is off by ~1e-16 where the exact value is 0 (u = 0, 1/2): count that as exact.</summary>
    private static double UlpErrorNearZeros(float actual, double exact) =>
        Math.Abs(exact) < 1e-15 ? (actual == 0 ? 0 : double.PositiveInfinity) : UlpError(actual, exact);
}
