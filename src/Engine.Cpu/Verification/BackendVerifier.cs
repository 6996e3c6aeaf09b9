namespace CudaNet.Cpu.Verification;

/// <summary>
/// Conformance of a backend against the float32 plain-loop CPU reference (what <c>cudanet verify</c> runs, on
/// machines with no test framework): every op of <see cref="IBackend{T}"/> runs on the backend under test and on
/// <c>new CpuBackend&lt;float&gt;(CpuKernels.Reference)</c> with identical seeded inputs, over sizes including 0, 1,
/// odd sizes, primes and one large case per family, and each output is compared with DESIGN.md §4's parity
/// tolerances (bit-exact for copies, gathers, counters and the Philox-driven ops of §6). Bad calls must be rejected
/// with an <see cref="ArgumentException"/> before any tensor changes.
/// </summary>
public static partial class BackendVerifier
{
    /// <summary>Verifies <paramref name="backend"/> and returns one row per (op, case, output).</summary>
    /// <param name="backend">The float32 backend under test (it may itself be a CPU backend).</param>
    /// <param name="options">Sizes and seed; <see cref="VerifyOptions"/>' defaults when null.</param>
    public static IReadOnlyList<VerificationRow> Run(IBackend<float> backend, VerifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        options ??= new VerifyOptions();
        using var reference = new CpuBackend<float>(CpuKernels.Reference);
        var harness = new VerificationHarness(backend, reference, VerificationSizes.For(options.Size), options.Seed);
        Memory(harness);
        Blas1(harness);
        Reductions(harness);
        Gemm(harness);
        Activations(harness);
        Normalization(harness);
        Stochastic(harness);
        Losses(harness);
        Optimizers(harness);
        StepControl(harness);
        StepGraph(harness);
        BadArguments(harness);
        return harness.Rows;
    }
}
