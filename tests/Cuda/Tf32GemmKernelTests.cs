using System.Text.RegularExpressions;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>gemm_tf32_forward without a GPU: the constants the launcher and kernels.cu share, its launch geometry and
/// cp.async eligibility, the compute-capability check of the opt-in, and the PTX itself — tensor-core instructions
/// in the sm_80 module only, none of them in sm_75, and no local memory (every fragment and accumulator index is a
/// compile-time constant, so nothing spills through dynamic indexing).</summary>
[TestFixture]
public sealed class Tf32GemmKernelTests
{
    private const string Entry = "gemm_tf32_forward";

    [Test]
    public void TileSizesAreThoseOfTheKernel()
    {
        string source = KernelSource.KernelsCu();
        int Constant(string name)
        {
            var match = Regex.Match(source, $@"\b{name} = (?<value>\d+)");
            Assert.That(match.Success, Is.True, name);
            return int.Parse(match.Groups["value"].Value);
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Constant("TF32_TILE_M"), Is.EqualTo(Tf32GemmGeometry.TileRows));
            Assert.That(Constant("TF32_TILE_N"), Is.EqualTo(Tf32GemmGeometry.TileColumns));
            Assert.That(Constant("TF32_TILE_M") / Constant("TF32_WARP_M") * (Constant("TF32_TILE_N") / Constant("TF32_WARP_N")) * 32,
                Is.EqualTo(Tf32GemmGeometry.Threads));
        }
    }

    [TestCase(1, 1, 1u)]
    [TestCase(128, 128, 1u)]
    [TestCase(129, 128, 2u)]
    [TestCase(128, 129, 2u)]
    [TestCase(4096, 4096, 1024u)]
    [TestCase(60_000, 10, 469u)]
    public void LaunchesOneBlockPerTileOfC(int m, int n, uint blocks)
    {
        Assert.That(Tf32GemmGeometry.Gemm(m, n), Is.EqualTo(new LaunchShape(blocks, 256)));
        Assert.That(Tf32GemmGeometry.RowTiles(m), Is.EqualTo((uint)((m + 127) / 128)));
    }

    [TestCase(0x1000ul, 784, 0x2000ul, 512, true)]
    [TestCase(0x1004ul, 784, 0x2000ul, 512, false)]
    [TestCase(0x1000ul, 784, 0x2008ul, 512, false)]
    [TestCase(0x1000ul, 785, 0x2000ul, 512, false)]
    [TestCase(0x1000ul, 784, 0x2000ul, 10, false)]
    [TestCase(0x1010ul, 4, 0x2030ul, 4096, true)]
    public void CopiesAsynchronouslyOnlyWhenEveryGroupIsAligned(ulong a, int rowA, ulong b, int rowB, bool async) =>
        Assert.That(GemmConfiguration.Vectorizable(a, rowA, b, rowB), Is.EqualTo(async));

    [Test]
    public void OptInNamesTheDeviceAndItsCapabilityBelowAmpere()
    {
        string? reason = CudaBackend.Tf32Unsupported("NVIDIA T4", new Version(7, 5));
        Assert.That(reason, Does.Contain("NVIDIA T4").And.Contain("7.5").And.Contain("8.0"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CudaBackend.Tf32Unsupported("NVIDIA A100", new Version(8, 0)), Is.Null);
            Assert.That(CudaBackend.Tf32Unsupported("NVIDIA H200", new Version(9, 0)), Is.Null);
            Assert.That(CudaBackend.Tf32ComputeCapability, Is.EqualTo(new Version(8, 0)));
        }
    }

    [Test]
    public void Sm75HasNoTensorCoreInstruction()
    {
        string ptx = PtxModules.Load("sm_75");
        Assert.That(PtxModules.ParseEntryPoints(ptx), Does.Not.Contain(Entry));
        foreach (string instruction in new[] { "mma.", "cp.async", ".tf32" })
            Assert.That(ptx, Does.Not.Contain(instruction), $"sm_75 PTX holds {instruction}");
    }

    [Test]
    public void Sm80EntryUsesTensorCoresAndAsyncCopiesWithoutLocalMemory()
    {
        string body = KernelSource.EntryBody("sm_80", Entry);
        int Count(string pattern) => Regex.Matches(body, pattern).Count;
        using (Assert.EnterMultipleScope())
        {
            // 4 transposes × 2 k8 steps per K-tile × 16 mma tiles per warp, unrolled.
            Assert.That(Count(@"mma\.sync\.aligned\.m16n8k8\.row\.col\.f32\.tf32\.tf32\.f32 "), Is.EqualTo(4 * 2 * 16));
            // Every operand register is rounded: 4 transposes × 2 k8 steps × (4·4 A + 4·2 B) fragments.
            Assert.That(Count(@"cvt\.rna\.tf32\.f32 "), Is.EqualTo(4 * 2 * 24));
            Assert.That(Count(@"cp\.async\.cg\.shared\.global \[s\], \[g\], 16;"), Is.GreaterThan(0));
            Assert.That(Count(@"cp\.async\.commit_group;"), Is.GreaterThan(0));
            // 3 stages: before multiplying a K-tile, at most the 1 group after it may still be in flight; one
            // barrier per K-tile in each of the 4 instantiations.
            Assert.That(Count(@"cp\.async\.wait_group 1;"), Is.EqualTo(4));
            Assert.That(Count(@"bar\.sync"), Is.EqualTo(4));
            Assert.That(body, Does.Not.Contain(".local"), "local memory: a register array indexed at run time");
            Assert.That(body, Does.Not.Contain("__local_depot"));
        }
        Assert.That(PtxModules.Load("sm_80"), Does.Match(@"(?m)^\.target sm_80"));
    }

    [Test]
    public void SharedMemoryIsOneBufferWithinTheStaticLimit()
    {
        // ptxas allocates every .shared variable an entry uses, without overlap: a buffer per inlined instantiation
        // would add up to 4× the stages. One buffer of 3 stages × (128 + 128) × 16 floats, within the 48 KiB of a
        // launch without a dynamic shared-memory opt-in.
        var buffers = Regex.Matches(PtxModules.Load("sm_80"), @"(?m)^\s*\.shared \.align \d+ \.b8 (?<name>\w*gemm_tf32\w*)\[(?<bytes>\d+)\];");
        Assert.That(buffers, Has.Count.EqualTo(1), "shared variables of gemm_tf32");
        Assert.That(int.Parse(buffers[0].Groups["bytes"].Value), Is.EqualTo(3 * 256 * 16 * sizeof(float)).And.LessThanOrEqualTo(48 * 1024));
    }

    [Test]
    public void SectionIsGuardedToTheSm80Module()
    {
        string source = KernelSource.KernelsCu();
        string comment = KernelSource.SectionComment(source, "gemm_tf32");
        Assert.That(comment, Does.Contain("Launch:").And.Contain("Napkin math:"));
        int section = source.IndexOf("// ==== gemm_tf32 ====", StringComparison.Ordinal);
        int guard = source.IndexOf("#if (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800)", section, StringComparison.Ordinal);
        int entry = source.IndexOf($"extern \"C\" __global__ void {Entry}(", section, StringComparison.Ordinal);
        int next = source.IndexOf("// ==== activation_forward ====", section, StringComparison.Ordinal);
        Assert.That(section < guard && guard < entry && entry < next, Is.True, "the guard encloses the entry point");
        Assert.That(source.IndexOf("// ==== gemm ====", StringComparison.Ordinal), Is.LessThan(section), "placed after gemm");
    }
}
