namespace CudaNet.Cpu.Verification;

/// <summary>How a row of <see cref="BackendVerifier.Run"/> decides whether it passed.</summary>
public enum VerificationKind
{
    /// <summary>|actual - reference| ≤ atol + rtol·|reference| elementwise; NaN must meet NaN, ∞ the same ∞.</summary>
    Tolerance,
    /// <summary>The same bits as the reference in every element (any NaN matches any NaN, since GPUs may
    /// canonicalise NaN payloads); used for copies, gathers, counters and every Philox-driven op (DESIGN.md §6).</summary>
    BitExact,
    /// <summary>A bad call must throw <see cref="ArgumentException"/> naming the op, before touching any tensor.</summary>
    Rejects,
}

/// <summary>The criterion one row is judged by.</summary>
/// <param name="Kind">Tolerance, bit-exact or rejection.</param>
/// <param name="Rtol">Relative tolerance (only for <see cref="VerificationKind.Tolerance"/>).</param>
/// <param name="Atol">Absolute tolerance (only for <see cref="VerificationKind.Tolerance"/>).</param>
public readonly record struct VerificationTolerance(VerificationKind Kind, double Rtol = 0, double Atol = 0)
{
    /// <summary>DESIGN.md §4 "Parity": elementwise float32 ops, rtol 1.3e-6, atol 1e-5.</summary>
    public static VerificationTolerance Elementwise => new(VerificationKind.Tolerance, 1.3e-6, 1e-5);

    /// <summary>DESIGN.md §4 "Parity": reductions, norms and losses, rtol = atol = 1e-3.</summary>
    public static VerificationTolerance Reduction => new(VerificationKind.Tolerance, 1e-3, 1e-3);

    /// <summary>Identical bits.</summary>
    public static VerificationTolerance BitExact => new(VerificationKind.BitExact);

    /// <summary>The call must be rejected.</summary>
    public static VerificationTolerance Rejects => new(VerificationKind.Rejects);

    /// <summary>
    /// GEMM with inner dimension <paramref name="k"/>: rtol 1e-3 and atol 1e-3 up to K = 1024, then atol grows as
    /// K/1024. The rounding error of a K-term float32 dot product summed in another order is bounded by
    /// ~K·2⁻²⁴·Σ|a||b|, which grows linearly in K; with inputs in [-1, 1] (as here) 1e-3 covers K ≤ 1024 with a wide
    /// margin, and the linear growth keeps that margin for larger K.
    /// </summary>
    public static VerificationTolerance Gemm(int k) =>
        new(VerificationKind.Tolerance, 1e-3, 1e-3 * Math.Max(1.0, k / 1024.0));

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        VerificationKind.BitExact => "bit-exact",
        VerificationKind.Rejects => "throws ArgumentException",
        _ => $"rtol {Rtol:G3} atol {Atol:G3}",
    };
}

/// <summary>
/// One comparison of the backend under test against the CPU reference: one output of one op on one case.
/// Outputs are written into views with guard elements on both sides, so a row also fails when the op writes
/// outside its output, modifies one of its inputs, or throws.
/// </summary>
/// <param name="Op">The <see cref="IBackend{T}"/> method, e.g. <c>Gemm</c>.</param>
/// <param name="Case">Sizes and settings, e.g. <c>7×33×13 Aᵀ·B α=0.75 β=-1.5 bias</c>.</param>
/// <param name="Output">Which output tensor (argument name) this row compares; <c>-</c> for a rejection.</param>
/// <param name="Tolerance">The criterion used.</param>
/// <param name="MaxAbsError">max |actual - reference| (∞ for a NaN mismatch; 0 for a rejection).</param>
/// <param name="MaxRelError">max |actual - reference| / |reference| over elements where they differ.</param>
/// <param name="Elements">Elements compared (without the guards, which are always compared exactly).</param>
/// <param name="Passed">Whether the row met its criterion.</param>
/// <param name="Failure">Why it failed (worst element, guard or input damage, exception); null when it passed.</param>
public sealed record VerificationRow(
    string Op, string Case, string Output, VerificationTolerance Tolerance, double MaxAbsError, double MaxRelError,
    long Elements, bool Passed, string? Failure);

/// <summary>How many sizes <see cref="BackendVerifier.Run"/> covers.</summary>
public enum VerifySize
{
    /// <summary>0, 1, a few odd sizes and one moderately large case per family: about a second.</summary>
    Quick,
    /// <summary>Sizes around every vector width and one large case per family (~1M elements, 384³ GEMM).</summary>
    Standard,
    /// <summary>Every length 0..257 and larger cases (1000³ GEMM in every transpose combination).</summary>
    Full,
}

/// <summary>Options of <see cref="BackendVerifier.Run"/>.</summary>
public sealed record VerifyOptions
{
    /// <summary>Which size list (default <see cref="VerifySize.Standard"/>).</summary>
    public VerifySize Size { get; init; } = VerifySize.Standard;

    /// <summary>Seed of every input (inputs are identical on both backends and across runs).</summary>
    public int Seed { get; init; } = 2024;
}
