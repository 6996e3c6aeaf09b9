using System.Globalization;
using System.Text;
using CudaNet.Cuda;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// Every gemm entry point of kernels.cu compiled for the host and run block by block with one thread per CUDA thread
/// (tests/Cuda/GemmHostHarness.cpp), on the launch shapes of <see cref="GemmConfiguration"/>: all four transposes,
/// edge tiles in both dimensions, K from 0 to past a few K-tiles, α/β with β = 0 over a NaN C, bias on and off, and
/// the ReLU, Sigmoid and GELU epilogues. Each C element must be within the GEMM parity bound of a float64 reference
/// and equal, bit for bit, a float emulation of the kernel's contract (K products summed in increasing k with fmaf).
/// </summary>
[TestFixture]
public sealed class GemmKernelHostTests
{
    private static readonly int[] Dimensions = [1, 3, 7, 31, 33, 63, 65, 127, 129, 130];
    private static readonly int[] Depths = [0, 1, 5, 16, 17, 129];

    private static readonly (float Alpha, float Beta, bool Bias, ActivationKind Kind)[] Epilogues =
    [
        (1, 0, false, ActivationKind.Identity), (1, 0, true, ActivationKind.ReLU), (0.5f, 2, true, ActivationKind.Sigmoid),
        (-1.5f, 0.5f, false, ActivationKind.Gelu), (2, 1, true, ActivationKind.Identity), (1, 0, true, ActivationKind.Gelu),
        (0.25f, -1, false, ActivationKind.ReLU),
    ];

    private string _folder = null!;
    private string _executable = null!;

    /// <summary>Each configuration with scalar and with float4 loads.</summary>
    public static IEnumerable<TestCaseData> EntryPoints() =>
        from index in Enumerable.Range(0, GemmConfiguration.All.Count)
        from vectorized in new[] { false, true }
        select new TestCaseData(index, vectorized)
            .SetArgDisplayNames(KernelNames.Of(GemmConfiguration.All[index].KernelFor(vectorized)));

    [OneTimeSetUp]
    public void Build()
    {
        string compiler = HostCompiler.FindOrIgnore();
        string source = KernelSource.KernelsCu();
        _folder = Directory.CreateTempSubdirectory("cudanet-gemm-").FullName;
        Cut(source, "// ==== Dense family: shared helpers", "// ==== gemm ====", "dense_helpers.inc");
        Cut(source, "// Four consecutive floats", "// ==== fill ====", "float_quad.inc");
        Cut(source, "// ==== gemm ====", "// ==== activation_forward ====", "gemm.inc");
        _executable = Path.Combine(_folder, "harness");
        var (exitCode, output) = HostCompiler.Run(compiler, ["-std=c++20", "-O2", "-ffp-contract=off", "-fno-fast-math",
            "-fno-strict-aliasing", "-pthread", "-Wall", "-Wno-unknown-pragmas", "-I", _folder, "-o", _executable,
            Path.Combine(KernelSource.RepositoryRoot(), "tests", "Cuda", "GemmHostHarness.cpp")], input: "");
        Assert.That(exitCode, Is.Zero, $"{compiler} could not build the host harness:\n{output}");
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [TestCaseSource(nameof(EntryPoints))]
    public void EntryPointMatchesFloat64AndItsSummationOrder(int index, bool vectorized)
    {
        var configuration = GemmConfiguration.All[index];
        RunAndCheck(Cases(vectorized).Select(c => (configuration.KernelFor(vectorized), c)).ToList());
    }

    [Test]
    public void MlpShapesRunOnTheEntryPointsA132SmDeviceWouldPick()
    {
        // The issue's shapes (batch 128): Y = X·Wᵀ + b with ReLU, dX = dY·W, dW = dYᵀ·X. All rows are multiples of 4
        // floats, so the launcher takes the float4 entry points.
        var shapes = new[]
        {
            new Case(false, true, 128, 512, 784, 1, 0, true, ActivationKind.ReLU),
            new Case(false, true, 128, 512, 512, 1, 0, true, ActivationKind.ReLU),
            new Case(false, true, 128, 10, 512, 1, 0, true, ActivationKind.Identity),
            new Case(false, false, 128, 784, 512, 1, 0, false, ActivationKind.Identity),
            new Case(true, false, 512, 784, 128, 1, 0, false, ActivationKind.Identity),
            new Case(true, false, 512, 512, 128, 1, 1, false, ActivationKind.Identity),
        };
        RunAndCheck(shapes.Select(c => (GemmConfiguration.For(c.M, c.N, 132).Vectorized, c)).ToList());
    }

    private void RunAndCheck(List<(Kernel Entry, Case Launch)> cases)
    {
        var input = new StringBuilder();
        foreach (var (entry, c) in cases)
        {
            var configuration = GemmConfiguration.All.Single(candidate => candidate.Scalar == entry || candidate.Vectorized == entry);
            input.Append(CultureInfo.InvariantCulture,
                $"{KernelNames.Of(entry)} {configuration.Launch(c.M, c.N).GridX} {configuration.Threads} {(c.TransA ? 1 : 0)} {(c.TransB ? 1 : 0)} ");
            input.Append(CultureInfo.InvariantCulture,
                $"{c.M} {c.N} {c.K} {c.Alpha:R} {c.Beta:R} {(c.Bias ? 1 : 0)} {(int)c.Kind}\n");
        }
        // The repository's GEMM bound (VerificationTolerance.Gemm): rtol 1e-3, atol 1e-3·max(1, K / 1024).
        var (exitCode, output) = HostCompiler.Run(_executable, [Tolerance.ReductionRtol.ToString("R", CultureInfo.InvariantCulture),
            Tolerance.ReductionAtol.ToString("R", CultureInfo.InvariantCulture)], input.ToString());
        Assert.That(exitCode, Is.Zero, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(cases.Count), output);
        double worst = 0;
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < cases.Count; i++)
            {
                var words = lines[i].Split(' ');
                double excess = double.Parse(words[0], CultureInfo.InvariantCulture);
                long mismatches = long.Parse(words[1], CultureInfo.InvariantCulture);
                worst = Math.Max(worst, excess);
                string what = $"{KernelNames.Of(cases[i].Entry)} {cases[i].Launch}";
                Assert.That(excess, Is.LessThanOrEqualTo(1), $"{what}: error / bound against float64");
                Assert.That(mismatches, Is.Zero, $"{what}: elements that differ from the in-order fmaf sum");
            }
        }
        TestContext.Out.WriteLine($"{cases.Count} launches, worst error {worst:E2} of the bound");
    }

    /// <summary>One launch of the harness.</summary>
    public sealed record Case(bool TransA, bool TransB, int M, int N, int K, float Alpha, float Beta, bool Bias, ActivationKind Kind);

    /// <summary>Every dimension as M under each transpose, N and K cycling through theirs. The float4 entry points
    /// take their operands' stored rows rounded up to a multiple of 4 (the launcher's condition), the other
    /// dimensions as they are.</summary>
    private static IEnumerable<Case> Cases(bool vectorized)
    {
        for (int t = 0; t < 4; t++)
        {
            bool transA = (t & 1) != 0, transB = (t & 2) != 0;
            for (int i = 0; i < Dimensions.Length; i++)
            {
                int m = Dimensions[i], n = Dimensions[(3 * i + t) % Dimensions.Length], k = Depths[(i + t) % Depths.Length];
                if (vectorized)
                {
                    if (transA) m = RoundUp(m);
                    if (!transA || transB) k = RoundUp(k);
                    if (!transB) n = RoundUp(n);
                    Assert.That(GemmConfiguration.Vectorizable(0, transA ? m : k, 0, transB ? k : n), Is.True);
                }
                var (alpha, beta, bias, kind) = Epilogues[(i + 2 * t) % Epilogues.Length];
                yield return new Case(transA, transB, m, n, k, alpha, beta, bias, kind);
            }
        }
    }

    private static int RoundUp(int value) => (value + 3) / 4 * 4;

    private void Cut(string source, string from, string to, string file)
    {
        int start = source.IndexOf(from, StringComparison.Ordinal);
        int end = start < 0 ? -1 : source.IndexOf(to, start, StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start, Is.True, $"kernels.cu has \"{from}\" before \"{to}\"");
        File.WriteAllText(Path.Combine(_folder, file), source[start..end]);
    }
}
