using System.Reflection;
using CudaNet.Cpu;
using CudaNet.Cpu.Verification;
using NUnit.Framework;

namespace CudaNet.Tests.Verification;

/// <summary>The SIMD CPU backend passes the verifier at its default sizes, and the verifier covers every op.</summary>
public sealed class BackendVerifierTests
{
    /// <summary>The memory ops have no argument checks worth a rejection row of their own (Allocate's shape, Upload's
    /// length are exercised by every case).</summary>
    private static readonly string[] MemoryOps = ["Allocate", "Upload", "Download", "Synchronize"];

    private IReadOnlyList<VerificationRow> _rows = null!;

    [OneTimeSetUp]
    public void RunVerifier()
    {
        using var backend = new CpuBackend<float>();
        _rows = BackendVerifier.Run(backend);
    }

    private static IEnumerable<string> BackendOps =>
        typeof(IBackend<float>).GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => !m.IsSpecialName)
            .Select(m => m.Name).Distinct();

    [Test]
    public void SimdCpuBackendPassesEveryRow()
    {
        var failed = _rows.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Case} {r.Output}: {r.Failure}").ToList();
        Assert.That(failed, Is.Empty);
        Assert.That(_rows, Has.Count.GreaterThan(1000));
    }

    [Test]
    public void EveryOpOfTheBackendContractHasRows([ValueSource(nameof(BackendOps))] string op)
    {
        var rows = _rows.Where(r => r.Op == op).ToList();
        Assert.That(rows.Where(r => r.Tolerance.Kind != VerificationKind.Rejects), Is.Not.Empty, $"{op} is never compared");
        if (!MemoryOps.Contains(op))
            Assert.That(rows.Where(r => r.Tolerance.Kind == VerificationKind.Rejects), Is.Not.Empty, $"{op} has no bad-argument row");
    }

    [Test]
    public void OnlyMethodsOfTheContractAppearAsOps() =>
        Assert.That(_rows.Select(r => r.Op).Distinct(), Is.SubsetOf(BackendOps));

    [Test]
    public void EveryComparedOpIncludesAnEmptyAndASingleElementCase()
    {
        // Upload's row compares its whole guarded buffer; Synchronize has one large case.
        foreach (var op in BackendOps.Except(["Upload", "Synchronize"]))
        {
            var elements = _rows.Where(r => r.Op == op && r.Tolerance.Kind != VerificationKind.Rejects).Select(r => r.Elements).ToHashSet();
            // Ops that reject empty inputs (the mean losses, layer/group norm's features) still see a single element.
            Assert.That(elements, Does.Contain(1L), $"{op}: no single-element output");
            if (!new[] { "SoftmaxCrossEntropy", "MseLoss", "BinaryCrossEntropyWithLogits", "SquaredNorm", "ArgMaxCountCorrect" }.Contains(op))
                Assert.That(elements, Does.Contain(0L), $"{op}: no empty case");
        }
    }

    [Test]
    public void StochasticOpsAreComparedBitForBitAndGemmWithAKScaledBound()
    {
        foreach (var op in new[] { "DropoutForward", "DropoutBackward", "DropConnectMask", "AddGaussianNoise" })
            Assert.That(_rows.Where(r => r.Op == op && r.Tolerance.Kind != VerificationKind.Rejects).Select(r => r.Tolerance.Kind),
                Is.All.EqualTo(VerificationKind.BitExact), op);
        Assert.That(VerificationTolerance.Gemm(300).Atol, Is.EqualTo(1e-3));
        Assert.That(VerificationTolerance.Gemm(4096).Atol, Is.EqualTo(4e-3).Within(1e-15));
    }

    [Test]
    public void QuickRunIsSmallerAndAlsoPasses()
    {
        using var backend = new CpuBackend<float>(CpuKernels.Reference);
        var quick = BackendVerifier.Run(backend, new VerifyOptions { Size = VerifySize.Quick });
        Assert.That(quick.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Case}: {r.Failure}"), Is.Empty);
        Assert.That(quick.Count, Is.LessThan(_rows.Count));
        Assert.That(quick.Select(r => r.Op).Distinct(), Is.EquivalentTo(BackendOps));
    }

    [Test]
    public void RejectsANullBackend() =>
        Assert.That(() => BackendVerifier.Run(null!), Throws.ArgumentNullException);
}
