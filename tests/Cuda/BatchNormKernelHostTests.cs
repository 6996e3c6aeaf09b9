using System.Globalization;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// The split-row column reductions (batch norm: batchnorm_statistics → batchnorm_forward_training,
/// batchnorm_backward_sums → batchnorm_backward; layer norm's parameter gradients: group_norm_backward_parameters →
/// column_partials_sum) compiled for the host and run block by block with one thread per CUDA thread
/// (tests/Cuda/BatchNormHostHarness.cpp), against a float64 reference, on the launch shapes the backend picks and
/// on awkward ones: one split, many short splits, a single column, a large offset; plain and with the fused ReLU.
/// </summary>
[TestFixture]
public sealed class BatchNormKernelHostTests
{
    private string _folder = null!;
    private string _executable = null!;

    [OneTimeSetUp]
    public void Build()
    {
        string compiler = HostCompiler.FindOrIgnore();
        string source = KernelSource.KernelsCu();
        int start = source.IndexOf("// Columns and row slices of the per-feature kernels", StringComparison.Ordinal);
        int end = source.IndexOf("// ==== group_norm_forward ====", StringComparison.Ordinal);
        Assert.That(start >= 0 && end > start, Is.True, "kernels.cu has the batch-norm sections before group_norm_forward");
        _folder = Directory.CreateTempSubdirectory("cudanet-batchnorm-").FullName;
        File.WriteAllText(Path.Combine(_folder, "bn_family.inc"), source[start..end]);
        int helpers = source.IndexOf("// ==== Dense family: shared helpers ====", StringComparison.Ordinal);
        int gemm = source.IndexOf("// ==== gemm ====", StringComparison.Ordinal);
        Assert.That(helpers >= 0 && gemm > helpers, Is.True, "kernels.cu has the Dense family's helpers before gemm");
        File.WriteAllText(Path.Combine(_folder, "dense_helpers.inc"), source[helpers..gemm]);
        int parameters = source.IndexOf("extern \"C\" __global__ void group_norm_backward_parameters(", StringComparison.Ordinal);
        int input = source.IndexOf("extern \"C\" __global__ void group_norm_backward_input(", StringComparison.Ordinal);
        Assert.That(parameters >= 0 && input > parameters, Is.True, "kernels.cu has group_norm_backward_parameters before _input");
        File.WriteAllText(Path.Combine(_folder, "gn_parameters.inc"), source[parameters..input]);
        _executable = Path.Combine(_folder, "harness");
        var (exitCode, output) = HostCompiler.Run(compiler, ["-std=c++20", "-O2", "-ffp-contract=off", "-fno-fast-math", "-pthread",
            "-I", _folder, "-o", _executable, Path.Combine(KernelSource.RepositoryRoot(), "tests", "Cuda", "BatchNormHostHarness.cpp")]);
        Assert.That(exitCode, Is.Zero, $"{compiler} could not build the host harness:\n{output}");
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_folder is not null && Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    // The backend's own launch shapes (RowsPerSplit, SplitRows), then awkward ones.
    [TestCase(128, 512, 0)]
    [TestCase(1000, 70, 0)]
    [TestCase(4096, 64, 0)]
    [TestCase(2, 3, 0)]
    [TestCase(333, 1, 0, 5, 2)]
    [TestCase(700, 33, 1e4, 100, 5)]
    [TestCase(700, 33, 1e4, 700, 5)]
    [TestCase(128, 512, 0, 0, 0, 1)]
    [TestCase(1000, 70, 0, 0, 0, 1)]
    [TestCase(333, 1, 0, 5, 2, 1)]
    [TestCase(700, 33, 1e4, 100, 5, 1)]
    public void SplitKernelsMatchFloat64(int rows, int features, double offset, int rowsPerSplit = 0, int blocksY = 0,
        int kind = 0)
    {
        if (rowsPerSplit == 0) rowsPerSplit = CudaNet.Cuda.CudaBackend.RowsPerSplit(rows, features);
        if (blocksY == 0) blocksY = (int)CudaNet.Cuda.CudaBackend.SplitRows(rows, features).GridY;
        var (exitCode, output) = HostCompiler.Run(_executable, [rows.ToString(CultureInfo.InvariantCulture),
            features.ToString(CultureInfo.InvariantCulture), rowsPerSplit.ToString(CultureInfo.InvariantCulture),
            blocksY.ToString(CultureInfo.InvariantCulture), offset.ToString(CultureInfo.InvariantCulture),
            kind.ToString(CultureInfo.InvariantCulture)]);
        Assert.That(exitCode, Is.Zero, output);
        var worst = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' '))
            .ToDictionary(words => words[0], words => double.Parse(words[1], CultureInfo.InvariantCulture));
        TestContext.Out.WriteLine(string.Join(", ", worst.Select(pair => $"{pair.Key} {pair.Value:E2}")));
        using (Assert.EnterMultipleScope())
        {
            // Float32 sums of up to a few thousand terms: a few ulps of the spread. With an offset of 1e4 the inputs
            // themselves carry 1e-3 of rounding on a spread of 3, which y and the gradients inherit.
            Assert.That(worst["mean"], Is.LessThan(1e-6));
            Assert.That(worst["invstd"], Is.LessThan(1e-6));
            Assert.That(worst["running_var"], Is.LessThan(1e-6));
            Assert.That(worst["dbeta"], Is.LessThan(1e-6));
            Assert.That(worst["layernorm_dbeta"], Is.LessThan(1e-6));
            Assert.That(worst["layernorm_dgamma"], Is.LessThan(offset == 0 ? 1e-6 : 1e-3));
            Assert.That(worst["dgamma"], Is.LessThan(offset == 0 ? 1e-6 : 1e-3));
            Assert.That(worst["y"], Is.LessThan(offset == 0 ? 1e-6 : 1e-3));
            Assert.That(worst["dx"], Is.LessThan(offset == 0 ? 1e-6 : 1e-4));
        }
    }
}
