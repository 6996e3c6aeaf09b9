using System.Globalization;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// gemm_tf32_forward compiled for the host and run block by block with one thread per CUDA thread
/// (tests/Cuda/Tf32GemmHostHarness.cpp emulates cvt.rna.tf32, the warp-collective mma.sync with its PTX fragment
/// layout, and cp.async completing only at wait_group), against float64 of the TF32-rounded inputs with a K-scaled
/// bound: all four transposes, edge tiles in M, N and K (K = 0 included), α/β with NaN in C when β = 0, bias, ReLU and
/// GELU epilogues, on the cp.async path (aligned rows) and the plain-load path (rows one float off alignment).
/// </summary>
[TestFixture]
public sealed class Tf32GemmKernelHostTests
{
    private const int Relu = 1, Gelu = 6;
    private string _folder = null!;
    private string _executable = null!;

    [OneTimeSetUp]
    public void Build()
    {
        string compiler = HostCompiler.FindOrIgnore();
        string source = KernelSource.KernelsCu();
        int start = source.IndexOf("// ==== Dense family: shared helpers", StringComparison.Ordinal);
        int end = source.IndexOf("// ==== activation_forward ====", StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start && source.IndexOf("// ==== gemm_tf32 ====", start, StringComparison.Ordinal) is > 0 and var tf32 && tf32 < end,
            Is.True, "kernels.cu has the Dense helpers, gemm and gemm_tf32 before activation_forward");
        _folder = Directory.CreateTempSubdirectory("cudanet-tf32-").FullName;
        // The SIMT gemm section in the cut uses the elementwise family's float_quad.
        int quad = source.IndexOf("// Four consecutive floats", StringComparison.Ordinal);
        int fill = source.IndexOf("// ==== fill ====", StringComparison.Ordinal);
        Assert.That(quad >= 0 && fill > quad, Is.True, "kernels.cu defines float_quad before the fill section");
        File.WriteAllText(Path.Combine(_folder, "tf32_gemm.inc"), source[quad..fill] + source[start..end]);
        _executable = Path.Combine(_folder, "harness");
        var (exitCode, output) = HostCompiler.Run(compiler, ["-std=c++20", "-O2", "-ffp-contract=off", "-fno-fast-math", "-pthread",
            "-DCUDANET_TF32_HOST_EMULATION", "-I", _folder, "-o", _executable,
            Path.Combine(KernelSource.RepositoryRoot(), "tests", "Cuda", "Tf32GemmHostHarness.cpp")]);
        Assert.That(exitCode, Is.Zero, $"{compiler} could not build the host harness:\n{output}");
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    // Plain loads (misaligned rows): edge sizes of the issue in every dimension, every transpose.
    [TestCase(129, 65, 130, false, false, 1.5f, 0f, Gelu, true, false)]
    [TestCase(17, 129, 33, false, true, 1f, 0.5f, Relu, true, false)]
    [TestCase(63, 7, 9, true, false, -0.75f, 2f, 0, false, false)]
    [TestCase(15, 1, 7, true, true, 1f, 0f, 0, true, false)]
    [TestCase(1, 15, 1, false, false, 2f, 0f, Relu, false, false)]
    [TestCase(7, 17, 8, true, true, 1f, -1f, Gelu, true, false)]
    [TestCase(65, 63, 0, false, true, 1f, 0.5f, Relu, true, false)]
    // cp.async (row lengths multiples of 4): partial tiles in M and N, K-tiles cut short, two row tiles.
    [TestCase(65, 132, 36, false, false, 1f, 0.25f, Relu, true, true)]
    [TestCase(132, 68, 20, true, true, 0.5f, 0f, 0, true, true)]
    [TestCase(129, 17, 132, false, true, 1f, 1f, Gelu, false, true)]
    [TestCase(64, 68, 130, true, false, -1f, 0f, Relu, true, true)]
    [TestCase(256, 136, 64, false, false, 1f, 0f, 0, false, true)]
    [TestCase(200, 260, 48, true, false, 1f, 0.5f, Gelu, true, true)]
    [TestCase(130, 257, 17, false, true, 1f, 0f, Relu, true, false)]
    public void MatchesFloat64OfTf32RoundedInputs(int m, int n, int k, bool transA, bool transB, float alpha,
        float beta, int kind, bool bias, bool async)
    {
        string[] arguments = [.. new object[] { m, n, k, transA ? 1 : 0, transB ? 1 : 0, alpha, beta, kind, bias ? 1 : 0, async ? 1 : 0 }
            .Select(value => Convert.ToString(value, CultureInfo.InvariantCulture)!)];
        var (exitCode, output) = HostCompiler.Run(_executable, arguments);
        Assert.That(exitCode, Is.Zero, output);
        var result = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' '))
            .ToDictionary(words => words[0], words => double.Parse(words[1], CultureInfo.InvariantCulture));
        TestContext.Out.WriteLine(string.Join(", ", result.Select(pair => $"{pair.Key} {pair.Value:G3}")));
        using (Assert.EnterMultipleScope())
        {
            // worst is the largest error over its bound ((K + 4)·S·L + 16·|ref|)·2^-24: float32 summation of exact
            // TF32 products, the epilogue's roundings and the activation's few ulps.
            Assert.That(result["worst"], Is.LessThanOrEqualTo(1.0), "error over the K-scaled bound");
            Assert.That(result["nonfinite"], Is.Zero, "non-finite outputs (a NaN C read with β = 0?)");
            Assert.That(result["guard"], Is.Zero, "writes past the end of C");
            Assert.That(result["round_mismatches"], Is.Zero, "tf32_round against the frexp rounding");
        }
    }
}
