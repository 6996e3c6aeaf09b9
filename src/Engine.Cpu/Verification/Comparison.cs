using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Verification;

/// <summary>Elementwise comparison of a whole guarded buffer, like <c>torch.testing.assert_close</c>.</summary>
internal static class Comparison
{
    /// <summary>
    /// Compares <paramref name="actual"/> with <paramref name="expected"/>: the <paramref name="guard"/> elements at
    /// each end bit for bit, the rest by <paramref name="tolerance"/>. Reports the worst element of the view.
    /// </summary>
    public static VerificationRow Compare<TElement>(string op, string caseName, string output, VerificationTolerance tolerance,
        TElement[] actual, TElement[] expected, int guard) where TElement : unmanaged, INumberBase<TElement>
    {
        if (actual.Length != expected.Length)
            return Failed(op, caseName, output, tolerance, $"has {actual.Length - 2 * guard} elements, the reference {expected.Length - 2 * guard}");
        int length = actual.Length - 2 * guard;
        for (int i = 0; i < actual.Length; i++)
        {
            if (i == guard) i += length;
            if (i < actual.Length && !SameBits(actual, expected, i))
                return Failed(op, caseName, output, tolerance, $"wrote outside '{output}' ({(i < guard ? i - guard : i - guard - length)} elements " +
                                                                 $"{(i < guard ? "before its start" : "past its end")})", length);
        }

        double maxAbs = 0, maxRel = 0, worstExcess = 0;
        int worst = -1;
        bool exact = tolerance.Kind != VerificationKind.Tolerance;
        for (int i = guard; i < guard + length; i++)
        {
            double a = double.CreateTruncating(actual[i]), e = double.CreateTruncating(expected[i]);
            bool bothNaN = double.IsNaN(a) && double.IsNaN(e);
            if (bothNaN || (exact ? SameBits(actual, expected, i) : a == e)) continue;
            double abs = double.IsNaN(a) || double.IsNaN(e) ? double.PositiveInfinity : Math.Abs(a - e);
            if (double.IsNaN(abs)) abs = double.PositiveInfinity; // opposite infinities
            double rel = e == 0 ? double.PositiveInfinity : abs / Math.Abs(e);
            maxAbs = Math.Max(maxAbs, abs);
            maxRel = Math.Max(maxRel, rel);
            // The excess over the allowed error; any difference at all fails an exact comparison.
            double excess = exact ? double.PositiveInfinity : abs - (tolerance.Atol + tolerance.Rtol * Math.Abs(e));
            if (excess > 0 && (worst < 0 || excess > worstExcess))
            {
                worst = i;
                worstExcess = excess;
            }
        }
        string? failure = worst < 0 ? null :
            $"element {worst - guard} of {length} is {Text(actual[worst])} but the reference gives {Text(expected[worst])}";
        return new VerificationRow(op, caseName, output, tolerance, maxAbs, maxRel, length, failure is null, failure);
    }

    /// <summary>A row that failed before any element could be compared.</summary>
    public static VerificationRow Failed(string op, string caseName, string output, VerificationTolerance tolerance,
        string failure, long elements = 0) =>
        new(op, caseName, output, tolerance, double.PositiveInfinity, double.PositiveInfinity, elements, false, failure);

    private static bool SameBits<TElement>(TElement[] a, TElement[] b, int i) where TElement : unmanaged =>
        MemoryMarshal.AsBytes(a.AsSpan(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan(i, 1)));

    private static string Text<TElement>(TElement value) where TElement : unmanaged, INumberBase<TElement> =>
        value is float f ? f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
