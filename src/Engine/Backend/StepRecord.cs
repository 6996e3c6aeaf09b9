using System.Numerics;

namespace CudaNet;

/// <summary>
/// The coefficient record of one parameter group for one step, in T, as <see cref="IBackend{T}.BeginStep"/> writes
/// it and the controlled updates read it (kernels.cu, "step control", writes the same layout):
/// <c>[applies, factor, L1, L2, decay factor, penalizes, …]</c> followed by the optimizer's own coefficients in the
/// order of its <c>…Coefficients</c> record (and of its CUDA kernel's float arguments); SGD adds its first-step
/// flag last. Flags are 1 or 0. A skipped step writes only <c>applies = 0</c>.
/// </summary>
internal static class StepRecord<T> where T : IFloatingPointIeee754<T>
{
    public const int Applies = 0, Factor = 1, L1 = 2, L2 = 3, Decay = 4, Penalizes = 5, Own = 6, Width = 16;

    /// <summary>Whether the record's step applies.</summary>
    public static bool Applied(ReadOnlySpan<T> record) => record[Applies] != T.Zero;

    public static void Write(Span<T> r, T factor, in SgdCoefficients<T> c) =>
        Own4(Header(r, factor, c.Penalty), c.NegativeLr, c.Momentum, c.OneMinusDampening, Flag(c.FirstStep));

    public static void Write(Span<T> r, T factor, in AdagradCoefficients<T> c) =>
        Own4(Header(r, factor, c.Penalty), c.NegativeClr, c.Eps, T.Zero, T.Zero);

    public static void Write(Span<T> r, T factor, in AdadeltaCoefficients<T> c) =>
        Own4(Header(r, factor, c.Penalty), c.Rho, c.OneMinusRho, c.Eps, c.NegativeLr);

    public static void Write(Span<T> r, T factor, in RmsPropCoefficients<T> c)
    {
        Own4(Header(r, factor, c.Penalty), c.Alpha, c.OneMinusAlpha, c.Eps, c.Momentum);
        r[Own + 4] = c.NegativeLr;
    }

    public static void Write(Span<T> r, T factor, in AdamCoefficients<T> c)
    {
        Own4(Header(r, factor, c.Penalty), c.Beta1, c.OneMinusBeta1, c.Beta2, c.OneMinusBeta2);
        (r[Own + 4], r[Own + 5], r[Own + 6]) = (c.NegativeStepSize, c.BiasCorrection2Sqrt, c.Eps);
    }

    public static void Write(Span<T> r, T factor, in AdamaxCoefficients<T> c)
    {
        Own4(Header(r, factor, c.Penalty), c.Beta1, c.OneMinusBeta1, c.Beta2, c.Eps);
        r[Own + 4] = c.NegativeClr;
    }

    public static void Write(Span<T> r, T factor, in NadamCoefficients<T> c)
    {
        Own4(Header(r, factor, c.Penalty), c.Beta1, c.OneMinusBeta1, c.Beta2, c.OneMinusBeta2);
        (r[Own + 4], r[Own + 5], r[Own + 6], r[Own + 7]) = (c.BiasCorrection2, c.Eps, c.GradientStep, c.AverageStep);
    }

    public static SgdCoefficients<T> Sgd(ReadOnlySpan<T> r, SgdSettings s) =>
        new(Penalty(r), r[Own], r[Own + 1], r[Own + 2], s.Momentum != 0, s.Nesterov, r[Own + 3] != T.Zero);

    public static AdagradCoefficients<T> Adagrad(ReadOnlySpan<T> r) => new(Penalty(r), r[Own], r[Own + 1]);

    public static AdadeltaCoefficients<T> Adadelta(ReadOnlySpan<T> r) => new(Penalty(r), r[Own], r[Own + 1], r[Own + 2], r[Own + 3]);

    public static RmsPropCoefficients<T> RmsProp(ReadOnlySpan<T> r, RmsPropSettings s) =>
        new(Penalty(r), r[Own], r[Own + 1], r[Own + 2], r[Own + 3], r[Own + 4], s.Centered, s.Momentum > 0, s.Nesterov);

    public static AdamCoefficients<T> Adam(ReadOnlySpan<T> r, AdamSettings s) =>
        new(Penalty(r), r[Own], r[Own + 1], r[Own + 2], r[Own + 3], r[Own + 4], r[Own + 5], r[Own + 6], s.Amsgrad);

    public static AdamaxCoefficients<T> Adamax(ReadOnlySpan<T> r) => new(Penalty(r), r[Own], r[Own + 1], r[Own + 2], r[Own + 3], r[Own + 4]);

    public static NadamCoefficients<T> Nadam(ReadOnlySpan<T> r) =>
        new(Penalty(r), r[Own], r[Own + 1], r[Own + 2], r[Own + 3], r[Own + 4], r[Own + 5], r[Own + 6], r[Own + 7]);

    /// <summary>The penalties of a record, with its factor applied to the gradient. A factor of exactly 1 is skipped:
    /// 1·g is g for every g an applied step can hold (a NaN gradient makes ‖g‖² NaN and skips the step).</summary>
    private static PenaltyCoefficients<T> Penalty(ReadOnlySpan<T> r) =>
        new(r[L1], r[L2], r[Decay], r[Penalizes] != T.Zero, r[Factor], ScalesGradient: r[Factor] != T.One);

    private static Span<T> Header(Span<T> r, T factor, in PenaltyCoefficients<T> p)
    {
        // Unused slots are zero, so records compare whole.
        r.Clear();
        (r[Applies], r[Factor], r[L1], r[L2], r[Decay], r[Penalizes]) = (T.One, factor, p.L1, p.L2, p.DecayFactor, Flag(p.PenalizesGradient));
        return r;
    }

    private static void Own4(Span<T> r, T a, T b, T c, T d) => (r[Own], r[Own + 1], r[Own + 2], r[Own + 3]) = (a, b, c, d);

    private static T Flag(bool value) => value ? T.One : T.Zero;
}
