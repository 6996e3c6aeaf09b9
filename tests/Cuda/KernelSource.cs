using System.Text.RegularExpressions;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>kernels.cu and the embedded PTX as text, for the static checks of the family kernel tests.</summary>
internal static class KernelSource
{
    /// <summary>Both shipped PTX targets.</summary>
    public static readonly string[] Architectures = ["sm_75", "sm_80"];

    /// <summary>The text of kernels.cu at the repository root.</summary>
    public static string KernelsCu() => File.ReadAllText(Path.Combine(RepositoryRoot(), "kernels.cu"));

    /// <summary>The comment under the <c>// ==== name ====</c> header of a kernels.cu section (DESIGN.md §5).</summary>
    public static string SectionComment(string source, string section)
    {
        var header = Regex.Match(source, $@"// ==== {section} =+\n//\n(?<comment>(//.*\n)+)");
        Assert.That(header.Success, Is.True, $"section header of {section}");
        return header.Groups["comment"].Value;
    }

    /// <summary>The PTX of one entry point: its declaration, directives and body.</summary>
    public static string EntryBody(string arch, string entry)
    {
        string ptx = PtxModules.Load(arch);
        var body = Regex.Match(ptx, $@"(?ms)^\.visible \.entry {entry}\(.*?^\}}");
        Assert.That(body.Success, Is.True, $"no entry {entry} in {arch}");
        return body.Value;
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null;
             directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CudaNet.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("no CudaNet.sln above the test directory");
    }
}
