using System.Text.RegularExpressions;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Kernels;

/// <summary>The embedded PTX modules: targets, PTX version, entry points and their parameter lists.</summary>
[TestFixture]
public sealed class PtxModulesTests
{
    private static readonly string[] Architectures = ["sm_75", "sm_80"];

    [Test]
    public void ArchitecturesAreTheTwoShippedTargets() =>
        Assert.That(PtxModules.Architectures, Is.EqualTo(Architectures));

    [TestCaseSource(nameof(Architectures))]
    public void ModuleDeclaresItsTargetAndPtx70(string arch)
    {
        string ptx = PtxModules.Load(arch);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ptx, Does.Match(@"(?m)^\.version 7\.0$"));
            Assert.That(ptx, Does.Match($@"(?m)^\.target {arch}$"));
            Assert.That(ptx, Does.Match(@"(?m)^\.address_size 64$"));
        }
    }

    [TestCaseSource(nameof(Architectures))]
    public void ModuleExportsEveryKernelOnce(string arch)
    {
        var entries = PtxModules.EntryPoints(arch);
        Assert.That(entries, Is.SupersetOf(new[] { "axpy_forward", "philox_fill" }));
        Assert.That(entries, Is.Unique);
    }

    [TestCaseSource(nameof(Architectures))]
    public void EntryPointsAreSnakeCase(string arch)
    {
        // DESIGN.md §5: <op>_<pass>, so the C# launcher name is the PascalCase of the op.
        foreach (string entry in PtxModules.EntryPoints(arch))
            Assert.That(entry, Does.Match("^[a-z][a-z0-9]*(_[a-z0-9]+)+$"), $"entry point '{entry}' in {arch}");
    }

    [TestCaseSource(nameof(Architectures))]
    public void KernelParametersMatchTheirLaunchers(string arch)
    {
        // The ABI the launchers pass: pointers are .u64, int n is .u32, float alpha .f32, ulong seed/offset .u64.
        string ptx = PtxModules.Load(arch);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ParameterTypes(ptx, "axpy_forward"), Is.EqualTo(new[] { "u64", "u64", "f32", "u32" }));
            Assert.That(ParameterTypes(ptx, "philox_fill"), Is.EqualTo(new[] { "u64", "u32", "u64", "u64" }));
        }
    }

    [Test]
    public void UnknownArchitectureThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => PtxModules.Load("sm_90"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.ParamName, Is.EqualTo("arch"));
            Assert.That(error.Message, Does.Contain("sm_90").And.Contain("sm_75, sm_80"));
        }
        Assert.Throws<ArgumentNullException>(() => PtxModules.Load(null!));
        Assert.Throws<ArgumentException>(() => PtxModules.EntryPoints("SM_75"));
    }

    [Test]
    public void ParseEntryPointsReadsOnlyVisibleEntries()
    {
        const string ptx = """
            .version 7.0
            .target sm_75
            .func (.param .b32 r) helper(.param .b32 a)
            { ret; }
            .visible .entry first_forward(
            	.param .u64 first_forward_param_0
            )
            { ret; }
            	// .globl	second_backward
            .visible .entry second_backward()
            { ret; }
            """;
        Assert.That(PtxModules.ParseEntryPoints(ptx), Is.EqualTo(new[] { "first_forward", "second_backward" }));
        Assert.That(PtxModules.ParseEntryPoints(""), Is.Empty);
    }

    private static string[] ParameterTypes(string ptx, string entry)
    {
        var declaration = Regex.Match(ptx, $@"(?m)^\.visible \.entry {entry}\((?<params>[^)]*)\)");
        Assert.That(declaration.Success, Is.True, $"no entry {entry}");
        return Regex.Matches(declaration.Groups["params"].Value, $@"\.param \.(?<type>\w+) {entry}_param_\d+")
            .Select(match => match.Groups["type"].Value).ToArray();
    }
}
