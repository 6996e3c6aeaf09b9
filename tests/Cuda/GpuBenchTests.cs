using System.Text.RegularExpressions;
using CudaNet.Cli.Bench;
using CudaNet.Cuda;
using CudaNet.Tests.CommandLine;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>What of <c>cudanet bench --device cuda</c> can be checked without a GPU: the cuBLAS binding's absence,
/// the row-major ↔ column-major operand mapping, the byte counts against kernels.cu, and the error without a GPU.</summary>
[TestFixture]
public sealed class GpuBenchTests
{
    [Test]
    public void CublasAbsentIsReportedAsNotFound()
    {
        // Names that exist nowhere: the same path a machine without the CUDA toolkit's cuBLAS takes.
        var cublas = Cublas.TryLoad(0, out string reason, ["libcublas-cudanet-absent.so.99", "cublas-cudanet-absent.dll"]);
        Assert.That(cublas, Is.Null);
        Assert.That(reason, Is.EqualTo("cuBLAS not found"));
        Assert.That(Cublas.LibraryNames, Does.Contain("libcublas.so.12").And.Contain("libcublas.so.11").And.Contain("cublas64_12.dll"));
    }

    [Test]
    public void CublasOnThisMachineLoadsOrSaysNotFound()
    {
        if (CudaDriver.TryLoad(out _)) Assert.Ignore("a CUDA driver is installed: cuBLAS would need a context here");
        using var cublas = Cublas.TryLoad(0, out string reason);
        if (cublas is null) Assert.That(reason, Is.EqualTo(Cublas.NotFound).Or.Contain("libcublas").Or.Contain("cublas64"));
    }

    [Test]
    public void RowMajorGemmMapsOntoTheSwappedColumnMajorCall(
        [Values(false, true)] bool transA, [Values(false, true)] bool transB)
    {
        const int m = 3, n = 5, k = 4;
        var random = new Random(7);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)random.Next(-4, 5)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.Next(-4, 5)).ToArray();
        // Row-major truth: A stored (m,k) or (k,m) transposed, B stored (k,n) or (n,k) transposed.
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    expected[i * n + j] += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);

        var call = ColumnMajorGemm.For(transA, transB, m, n, k);
        var c = new float[m * n];
        ColumnMajorSgemm(call.TransA, call.TransB, call.M, call.N, call.K, call.FirstIsB ? b : a, call.Lda,
            call.FirstIsB ? a : b, call.Ldb, c, call.Ldc);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(c, Is.EqualTo(expected));
            Assert.That((call.M, call.N, call.K, call.Ldc), Is.EqualTo((n, m, k, n)));
        }
    }

    /// <summary>BLAS's column-major SGEMM, C (m,n) = op(A)·op(B), element (i,j) at i + j·ld: the reference the
    /// mapping is checked against, written from the BLAS definition, not from the code under test.</summary>
    private static void ColumnMajorSgemm(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b,
        int ldb, float[] c, int ldc)
    {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (transA ? a[p + i * lda] : a[i + p * lda]) * (transB ? b[j + p * ldb] : b[p + j * ldb]);
                c[i + j * ldc] = sum;
            }
    }

    [Test]
    public void MemoryRowBytesAreTheNapkinMathOfTheirKernels()
    {
        string source = KernelSource.KernelsCu();
        foreach (var row in GpuRoofline.MemoryCases)
        {
            string comment = KernelSource.SectionComment(source, row.Section).Replace("\n//", " ", StringComparison.Ordinal);
            int napkin = comment.IndexOf("Napkin math:", StringComparison.Ordinal);
            Assert.That(napkin, Is.GreaterThanOrEqualTo(0), $"{row.Section} has a napkin-math line");
            string math = comment[napkin..];
            // "28 B per element", "16 bytes per element", "divides 8·n bytes", "divides 12·N·F bytes".
            Assert.That(Regex.IsMatch(math, $@"(?<![\d.·]){row.BytesPerElement}(\s*B\b|\s*bytes|·n bytes|·N·F bytes)"), Is.True,
                $"{row.Op}: {row.BytesPerElement} bytes per element not in the napkin math of {row.Section}: {math}");
            Assert.That(GpuRoofline.CopyBytes(row) * 2, Is.EqualTo((long)row.BytesPerElement * GpuRoofline.Elements));
        }
        // The issue's operand size: every memory-bound operand is at least 64 MB (16M floats), norms as [N, F].
        Assert.That((long)GpuRoofline.Elements * sizeof(float), Is.GreaterThanOrEqualTo(64L << 20));
        Assert.That(GpuRoofline.Elements % GpuRoofline.Features, Is.Zero);
    }

    [Test]
    public void NormalisationAndOptimizerRowsAreAllThere()
    {
        var ops = GpuRoofline.MemoryCases.Select(c => c.Op).ToArray();
        Assert.That(ops, Is.Unique);
        foreach (string op in new[] { "relu forward", "relu backward", "dropout forward p=0.2", "dropout backward p=0.2",
                     "adam update", "adamw update", "rmsprop update", "sgd momentum update", "batchnorm forward (training)",
                     "batchnorm backward", "layernorm forward", "layernorm backward" })
            Assert.That(ops, Does.Contain(op));
        Assert.That(GpuRoofline.MemoryCases.Where(c => c.Section.Contains("norm")).Select(c => c.Target), Is.All.EqualTo(0.80));
        Assert.That(GpuRoofline.MemoryCases.Where(c => !c.Section.Contains("norm")).Select(c => c.Target), Is.All.EqualTo(0.85));
    }

    [Test]
    public void Tf32RowsAreNamedApartFromTheFp32Rows()
    {
        Assert.That(GpuRoofline.Tf32Op(false, false), Is.EqualTo("tf32 gemm NN"));
        Assert.That(GpuRoofline.Tf32Op(false, true, againstFp32: true), Is.EqualTo("tf32 gemm NT vs fp32"));
        // --filter sgemm keeps the FP32 rows only; --filter tf32 the TF32 ones only.
        Assert.That(new RowFilter("sgemm").Includes(GpuRoofline.Tf32Op(false, true)), Is.False);
        Assert.That(new RowFilter("tf32").Includes(BenchRow.GemmOp(false, true, epilogue: false)), Is.False);
    }

    [Test]
    public void PeakBandwidthIsDoubleDataRateTimesBusWidth()
    {
        // H100 SXM: 2619 MHz HBM3 on a 5120-bit bus → 3.35 TB/s.
        Assert.That(GpuRoofline.PeakFrom(2_619_000, 5120), Is.EqualTo(2 * 2.619e9 * 640).Within(1e3));
        Assert.That(GpuRoofline.PeakFrom(0, 5120), Is.Null);
        Assert.That(GpuRoofline.PeakFrom(2_619_000, 0), Is.Null);
    }

    [TestCase("cuda")]
    [TestCase("cuda", "--json", "--quick")]
    public void BenchOnCudaWithoutAGpuIsAOneLineUsageError(params string[] extra)
    {
        if (CudaBackend.TryCreate(out var gpu, out _))
        {
            gpu!.Dispose();
            Assert.Ignore("a usable GPU is present here");
        }
        var (exitCode, output, error) = CliRunner.Run(["bench", "--device", .. extra]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Is.Empty);
            Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
            Assert.That(error, Does.StartWith("cudanet bench: error: --device cuda: CUDA unavailable:"));
        }
    }
}
