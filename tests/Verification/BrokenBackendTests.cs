using CudaNet.Cpu;
using CudaNet.Cpu.Verification;
using NUnit.Framework;

namespace CudaNet.Tests.Verification;

/// <summary>
/// Backends broken on purpose in one op: the verifier must fail exactly the rows of that op and no other, which shows
/// the rows compare real numbers rather than passing by construction.
/// </summary>
public sealed class BrokenBackendTests
{
    private static IReadOnlyList<VerificationRow> Verify(IBackend<float> backend)
    {
        using (backend) return BackendVerifier.Run(backend, new VerifyOptions { Size = VerifySize.Quick });
    }

    private static void AssertOnlyFailures(IReadOnlyList<VerificationRow> rows, Func<VerificationRow, bool> shouldFail)
    {
        var wrong = rows.Where(r => r.Passed == shouldFail(r)).Select(r => $"{r.Op} {r.Case} {r.Output}: passed {r.Passed} ({r.Failure})");
        Assert.That(wrong, Is.Empty);
        Assert.That(rows.Count(r => !r.Passed), Is.GreaterThan(0));
    }

    [Test]
    public void AStepGraphThatDropsAStepFailsTheStepGraphRowAndNothingElse()
    {
        AssertOnlyFailures(Verify(new GraphBackend(new CpuBackend<float>(), dropEvery: 5)), r => r.Op == "StepGraph");
        var rows = Verify(new GraphBackend(new CpuBackend<float>(), dropEvery: 0));
        Assert.That(rows.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Case}: {r.Failure}"), Is.Empty);
        Assert.That(rows.Single(r => r.Op == "StepGraph").Elements, Is.GreaterThan(500));
    }

    [Test]
    public void GemmOffByOnePercentFailsEveryNonEmptyGemmRowAndNothingElse()
    {
        var rows = Verify(new PerturbedGemm(new CpuBackend<float>()));
        AssertOnlyFailures(rows, r => r.Op == "Gemm" && r.Tolerance.Kind != VerificationKind.Rejects && r.Elements > 0);
        Assert.That(rows.First(r => !r.Passed).Failure, Does.StartWith("element 0 of"));
    }

    [Test]
    public void OneFlippedDropoutMaskBitFailsDropoutForwardRowsAndNothingElse()
    {
        var rows = Verify(new FlippedDropoutBit(new CpuBackend<float>()));
        AssertOnlyFailures(rows, r => r.Op == "DropoutForward" && r.Tolerance.Kind != VerificationKind.Rejects && r.Elements >= 2);
    }

    [Test]
    public void WritingPastTheEndIsCaughtEvenForEmptyTensors()
    {
        var rows = Verify(new FillOneTooMany(new CpuBackend<float>()));
        AssertOnlyFailures(rows, r => r.Op == "Fill" && r.Tolerance.Kind != VerificationKind.Rejects);
        Assert.That(rows.Single(r => r.Op == "Fill" && r.Case.StartsWith("n=0 ", StringComparison.Ordinal)).Failure,
            Does.Contain("wrote outside 'x'"));
    }

    [Test]
    public void ValidatingAfterWritingFailsTheRejectionRow()
    {
        var rows = Verify(new ScaleWritesBeforeChecking(new CpuBackend<float>()));
        AssertOnlyFailures(rows, r => r.Op == "Scale" && r.Tolerance.Kind == VerificationKind.Rejects);
        Assert.That(rows.Single(r => !r.Passed).Failure, Does.Contain("changed"));
    }

    [Test]
    public void ModifyingAnInputFailsTheRowsOfThatOp()
    {
        var rows = Verify(new RowSumClobbersInput(new CpuBackend<float>()));
        AssertOnlyFailures(rows, r => r.Op == "RowSum" && r.Tolerance.Kind != VerificationKind.Rejects && r.Case != "0×5" && !r.Case.EndsWith("×0", StringComparison.Ordinal));
        Assert.That(rows.First(r => !r.Passed).Failure, Does.Contain("'x'"));
    }

    /// <summary>c += 0.01·(1 + |c|) after a correct GEMM: ten times rtol = atol = 1e-3 at any magnitude.</summary>
    /// <summary>Step graphs that run each step directly, except every <paramref name="dropEvery"/>-th, which they lose
    /// (0: none).</summary>
    private sealed class GraphBackend(IBackend<float> inner, int dropEvery) : DelegatingBackend(inner), IStepGraphBackend
    {
        public IStepGraph CreateStepGraph() => new Graph(dropEvery);

        private sealed class Graph(int dropEvery) : IStepGraph
        {
            private long _steps;

            public StepGraphCounters Counters => new(_steps, 0, 0, 0, 0);

            public void Run(Action step)
            {
                if (dropEvery == 0 || ++_steps % dropEvery != 0) step();
            }

            public void Dispose() { }
        }
    }

    private sealed class PerturbedGemm(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public override void Gemm(Tensor<float> c, Tensor<float> a, bool transposeA, Tensor<float> b, bool transposeB, double alpha,
            double beta, Tensor<float>? bias = null, Activation epilogue = default)
        {
            Inner.Gemm(c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue);
            if (c.Length == 0) return;
            var values = Inner.ToArray(c);
            values[0] += 0.01f * (1 + MathF.Abs(values[0]));
            Inner.Upload(c, values);
        }
    }

    /// <summary>Element 1's mask bit inverted: kept becomes dropped and dropped becomes kept.</summary>
    private sealed class FlippedDropoutBit(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public override void DropoutForward(Tensor<float> y, Tensor<float> x, double p, ulong seed, ulong offset)
        {
            float[] input = x.Length >= 2 ? Inner.ToArray(x) : [];
            Inner.DropoutForward(y, x, p, seed, offset);
            if (x.Length < 2) return;
            var values = Inner.ToArray(y);
            values[1] = values[1] == 0 ? (float)(input[1] / (1 - p)) : 0;
            Inner.Upload(y, values);
        }
    }

    /// <summary>Fills one element past the end of its view (into the guard).</summary>
    private sealed class FillOneTooMany(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public override void Fill(Tensor<float> x, double value)
        {
            Inner.Fill(x, value);
            var after = new Tensor<float>(x.Storage, x.Offset + x.Length, [1], ownsStorage: false);
            Inner.Fill(after, value);
        }
    }

    /// <summary>Zeroes y before validating (a launcher that checks too late).</summary>
    private sealed class ScaleWritesBeforeChecking(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public override void Scale(Tensor<float> y, Tensor<float> x, double alpha)
        {
            if (!double.IsFinite(alpha)) Inner.Fill(y, 0);
            Inner.Scale(y, x, alpha);
        }
    }

    /// <summary>Uses its input as scratch space.</summary>
    private sealed class RowSumClobbersInput(IBackend<float> inner) : DelegatingBackend(inner)
    {
        public override void RowSum(Tensor<float> y, Tensor<float> x)
        {
            Inner.RowSum(y, x);
            if (x.Length > 0) Inner.Fill(x.View(0, 1), 42);
        }
    }
}
