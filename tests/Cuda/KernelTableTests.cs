using System.Text.RegularExpressions;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>The kernel table of the CUDA backend against the embedded PTX: every kernel a launcher can name exists
/// in both modules (the sm_80-only ones in sm_80 alone), with the parameter types its launcher passes.</summary>
[TestFixture]
public sealed class KernelTableTests
{
    private static readonly string[] Architectures = ["sm_75", "sm_80"];

    /// <summary>The parameters of every gemm entry point: C, A, B, bias, M, N, K, transA, transB, α, β, kind, its α
    /// (declared before <see cref="Parameters"/>, whose initializer reads it).</summary>
    private static readonly string[] Gemm =
        ["u64", "u64", "u64", "u64", "u32", "u32", "u32", "u32", "u32", "f32", "f32", "u32", "f32"];

    /// <summary>The PTX parameter types of each launcher's argument list (device pointers .u64, int .u32, float
    /// .f32), in order: a launcher passing a different list would corrupt the launch.</summary>
    private static readonly Dictionary<Kernel, string[]> Parameters = new()
    {
        [Kernel.AxpyForward] = ["u64", "u64", "f32", "u32"],
        [Kernel.FillForward] = ["u64", "f32", "u32"],
        [Kernel.ScaleForward] = ["u64", "u64", "f32", "u32"],
        [Kernel.SquaredNormForward] = ["u64", "u64", "u32"],
        [Kernel.SquaredNormCombine] = ["u64", "u64", "u32"],
        [Kernel.ColumnSumForward] = ["u64", "u64", "u32", "u32"],
        [Kernel.RowSumForward] = ["u64", "u64", "u32", "u32"],
        [Kernel.IndexRangeCheck] = ["u64", "u64", "u32", "u32", "u32"],
        [Kernel.GatherRowsForward] = ["u64", "u64", "u64", "u64", "u32", "u32"],
        [Kernel.ArgMaxCountCorrectForward] = ["u64", "u64", "u64", "u64", "u32", "u32"],
        [Kernel.SgdUpdateForward] = Signature(pointers: 3, floats: 6, ints: 5),
        [Kernel.AdagradUpdateForward] = Signature(pointers: 3, floats: 5, ints: 2),
        [Kernel.AdadeltaUpdateForward] = Signature(pointers: 4, floats: 7, ints: 2),
        [Kernel.RmsPropUpdateForward] = Signature(pointers: 5, floats: 8, ints: 5),
        [Kernel.AdamUpdateForward] = Signature(pointers: 5, floats: 10, ints: 3),
        [Kernel.AdamaxUpdateForward] = Signature(pointers: 4, floats: 8, ints: 2),
        [Kernel.NadamUpdateForward] = Signature(pointers: 4, floats: 11, ints: 2),
        [Kernel.SgdUpdateControlled] = Signature(pointers: 4, floats: 0, ints: 3),
        [Kernel.AdagradUpdateControlled] = Signature(pointers: 4, floats: 0, ints: 1),
        [Kernel.AdadeltaUpdateControlled] = Signature(pointers: 5, floats: 0, ints: 1),
        [Kernel.RmsPropUpdateControlled] = Signature(pointers: 6, floats: 0, ints: 4),
        [Kernel.AdamUpdateControlled] = Signature(pointers: 6, floats: 0, ints: 2),
        [Kernel.AdamaxUpdateControlled] = Signature(pointers: 5, floats: 0, ints: 1),
        [Kernel.NadamUpdateControlled] = Signature(pointers: 5, floats: 0, ints: 1),
        [Kernel.BeginStep] = Signature(pointers: 7, floats: 0, ints: 0),
        [Kernel.CopyIfSkipped] = ["u64", "u64", "u64", "u32"],
        [Kernel.GemmForward128x128] = Gemm,
        [Kernel.GemmForward128x128Float4] = Gemm,
        [Kernel.GemmForward64x64] = Gemm,
        [Kernel.GemmForward64x64Float4] = Gemm,
        [Kernel.GemmForward32x32] = Gemm,
        [Kernel.GemmForward32x32Float4] = Gemm,
        [Kernel.GemmTf32Forward] =
            ["u64", "u64", "u64", "u64", "u32", "u32", "u32", "u32", "u32", "f32", "f32", "u32", "f32", "u32"],
        [Kernel.ActivationForward] = ["u64", "u64", "u32", "u32", "f32"],
        [Kernel.ActivationBackward] = ["u64", "u64", "u64", "u64", "u32", "u32", "f32"],
        [Kernel.PReLUForward] = ["u64", "u64", "u64", "u32", "u32"],
        [Kernel.PReLUBackward] = ["u64", "u64", "u64", "u64", "u64", "u32", "u32"],
        [Kernel.SoftmaxForward] = ["u64", "u64", "u32", "u32"],
        [Kernel.BatchNormStatistics] = ["u64", "u64", "u32", "u32", "u32"],
        [Kernel.BatchNormForwardTraining] =
            ["u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32", "f32", "f32", "u32"],
        [Kernel.BatchNormForwardInference] = ["u64", "u64", "u64", "u64", "u64", "u64", "u32", "u32", "f32", "u32"],
        [Kernel.BatchNormBackwardSums] = ["u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32", "u32"],
        [Kernel.BatchNormBackward] =
            ["u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32", "u32"],
        [Kernel.GroupNormForward] = ["u64", "u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32", "f32"],
        [Kernel.ColumnPartialsSum] = ["u64", "u64", "u64", "u32", "u32"],
        [Kernel.GroupNormBackwardParameters] = ["u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32", "u32"],
        [Kernel.GroupNormBackwardInput] = ["u64", "u64", "u64", "u64", "u64", "u64", "u32", "u32", "u32"],
        [Kernel.LossMeanCombine] = ["u64", "u64", "u64", "u32", "u32"],
        [Kernel.SoftmaxCrossEntropyForward] = ["u64", "u64", "u64", "u64", "u64", "u32", "u32", "f32"],
        [Kernel.MseLossForward] = ["u64", "u64", "u64", "u64", "u32", "f32"],
        [Kernel.BinaryCrossEntropyWithLogitsForward] = ["u64", "u64", "u64", "u64", "u32", "f32"],
        [Kernel.PhiloxMaskForward] = ["u64", "u64", "f32", "f32", "u32", "u64", "u64"],
        [Kernel.GaussianNoiseForward] = ["u64", "u64", "f32", "u32", "u64", "u64"],
    };

    /// <summary>PTX parameter types of a kernel taking its pointers, then its floats, then its ints (the last is n).</summary>
    internal static string[] Signature(int pointers, int floats, int ints) =>
        [.. Enumerable.Repeat("u64", pointers), .. Enumerable.Repeat("f32", floats), .. Enumerable.Repeat("u32", ints)];

    [Test]
    public void TableNamesEachKernelOnce()
    {
        var names = KernelNames.All.Select(KernelNames.Of).ToArray();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.Length.EqualTo(Enum.GetValues<Kernel>().Length));
        Assert.That(KernelNames.Of(Kernel.ArgMaxCountCorrectForward), Is.EqualTo("argmax_count_correct_forward"));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelNames.Of((Kernel)999));
    }

    [TestCaseSource(nameof(Architectures))]
    public void EveryKernelOfTheTableIsAnEntryPointOfTheModule(string arch)
    {
        var entries = PtxModules.EntryPoints(arch);
        foreach (var kernel in KernelNames.In(arch))
            Assert.That(entries, Does.Contain(KernelNames.Of(kernel)), $"{kernel} in {arch}");
        foreach (var kernel in KernelNames.All.Except(KernelNames.In(arch)))
            Assert.That(entries, Does.Not.Contain(KernelNames.Of(kernel)), $"{kernel} must be sm_80 only");
    }

    [Test]
    public void OnlyTheTensorCoreKernelsAreSm80Only()
    {
        Assert.That(KernelNames.Sm80Only, Is.EqualTo(new[] { Kernel.GemmTf32Forward }));
        Assert.That(KernelNames.In("sm_80"), Is.EquivalentTo(KernelNames.All));
        Assert.That(KernelNames.In("sm_75"), Is.EquivalentTo(KernelNames.All.Except(KernelNames.Sm80Only)));
    }

    [TestCaseSource(nameof(Architectures))]
    public void EveryKernelTakesTheParametersItsLauncherPasses(string arch)
    {
        Assert.That(Parameters.Keys, Is.EquivalentTo(KernelNames.All));
        string ptx = PtxModules.Load(arch);
        using (Assert.EnterMultipleScope())
        {
            foreach (var (kernel, types) in Parameters.Where(pair => KernelNames.In(arch).Contains(pair.Key)))
                Assert.That(ParameterTypes(ptx, KernelNames.Of(kernel)), Is.EqualTo(types), $"{kernel} in {arch}");
        }
    }

    [Test]
    public void KernelsCuDocumentsEachKernelInItsSection()
    {
        // DESIGN.md §5: each section starts with a "// ==== name" header and its comment.
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "kernels.cu"));
        foreach (var kernel in KernelNames.All)
        {
            string name = KernelNames.Of(kernel);
            Assert.That(Regex.IsMatch(source, $@"extern ""C"" __global__ void (__launch_bounds__\([\d, ]+\) )?{name}\("), Is.True,
                name);
        }
        foreach (string section in new[] { "fill", "scale", "squared_norm", "column_sum", "row_sum",
                     "index_range_check", "gather_rows", "argmax_count_correct", "gemm", "gemm_tf32", "activation_forward",
                     "activation_backward", "prelu_forward", "prelu_backward", "softmax_forward" })
        {
            var header = Regex.Match(source, $@"// ==== {section} =+\n//\n(?<comment>(//.*\n)+)");
            Assert.That(header.Success, Is.True, $"section header of {section}");
            Assert.That(header.Groups["comment"].Value, Does.Contain("Launch:").And.Contain("Napkin math:"), section);
        }
    }

    [Test]
    public void ArchitectureIsTheBestEmbeddedTargetForTheComputeCapability()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CudaModule.ArchitectureFor(new Version(6, 1)), Is.Null);
            Assert.That(CudaModule.ArchitectureFor(new Version(7, 0)), Is.Null);
            Assert.That(CudaModule.ArchitectureFor(new Version(7, 5)), Is.EqualTo("sm_75"));
            Assert.That(CudaModule.ArchitectureFor(new Version(8, 0)), Is.EqualTo("sm_80"));
            Assert.That(CudaModule.ArchitectureFor(new Version(8, 9)), Is.EqualTo("sm_80"));
            Assert.That(CudaModule.ArchitectureFor(new Version(9, 0)), Is.EqualTo("sm_80"));
            Assert.That(CudaModule.ArchitectureFor(new Version(12, 0)), Is.EqualTo("sm_80"));
        }
        Assert.That(CudaBackend.MinimumComputeCapability, Is.EqualTo(new Version(7, 5)));
    }

    internal static string[] ParameterTypes(string ptx, string entry)
    {
        var declaration = Regex.Match(ptx, $@"(?m)^\.visible \.entry {entry}\((?<params>[^)]*)\)");
        Assert.That(declaration.Success, Is.True, $"no entry {entry}");
        return Regex.Matches(declaration.Groups["params"].Value, $@"\.param \.(?<type>\w+) {entry}_param_\d+")
            .Select(match => match.Groups["type"].Value).ToArray();
    }

    private static string RepositoryRoot()
    {
        string start = TestContext.CurrentContext.TestDirectory;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CudaNet.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"no CudaNet.sln above {start}");
    }
}
