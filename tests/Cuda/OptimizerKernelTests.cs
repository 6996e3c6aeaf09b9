using System.Text.RegularExpressions;
using CudaNet.Cpu;
using CudaNet.Cuda;
using CudaNet.Tests.Optimizers;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// What of the optimizer kernels can be checked without a GPU: their documentation, their launch arguments against
/// the PTX signatures and the shared coefficients, the launch geometry, and — compiled for the host — their element
/// math against the CPU backend, bit for bit.
/// </summary>
[TestFixture]
public sealed class OptimizerKernelTests
{
    private static readonly string[] Sections =
        ["sgd_update", "adagrad_update", "adadelta_update", "rmsprop_update", "adam_update", "adamax_update", "nadam_update"];

    private static readonly string[] Architectures = ["sm_75", "sm_80"];

    /// <summary>Every value class an update can meet: signed zeros, subnormals, huge, infinite, NaN.</summary>
    private static readonly float[] Extremes =
    [
        0f, -0f, 1f, -1f, 1e30f, -1e30f, 1e-40f, -1e-40f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
        3.5f, 1e-20f, -2.5e-3f, float.MaxValue, float.Epsilon, -7f,
    ];

    [Test]
    public void KernelsCuDocumentsEachOptimizerKernelInItsSection()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "kernels.cu"));
        Assert.That(source, Does.Contain("// ==== Optimizers family: shared element math").And.Contain("// ==== End of the Optimizers family"));
        Assert.That(source, Does.Contain("BIT-IDENTICAL to the CPU backend"));
        foreach (string section in Sections)
        {
            Assert.That(source, Does.Contain($"extern \"C\" __global__ void {section}_forward("), section);
            var header = Regex.Match(source, $@"// ==== {section} =+\n//\n(?<comment>(//.*\n)+)");
            Assert.That(header.Success, Is.True, $"section header of {section}");
            Assert.That(header.Groups["comment"].Value, Does.Contain("Launch:").And.Contain("Napkin math:"), section);
        }
    }

    [TestCaseSource(nameof(Architectures))]
    public void LaunchArgumentsMatchThePtxSignature(string arch)
    {
        string ptx = PtxModules.Load(arch);
        var seen = new HashSet<Kernel>();
        using (Assert.EnterMultipleScope())
        {
            foreach (var optimizerCase in OptimizerCase.All)
            {
                var arguments = ArgumentsFor(optimizerCase, step: 2);
                seen.Add(arguments.Kernel);
                Assert.That(arguments.Arrays, Is.EqualTo(2 + Slots(optimizerCase.Settings).Length), optimizerCase.Name);
                // n is the last int parameter.
                var expected = KernelTableTests.Signature(arguments.Arrays, arguments.Floats.Length, arguments.Ints.Length + 1);
                Assert.That(KernelTableTests.ParameterTypes(ptx, KernelNames.Of(arguments.Kernel)), Is.EqualTo(expected),
                    $"{optimizerCase.Name} in {arch}");
            }
        }
        Assert.That(seen, Has.Count.EqualTo(Sections.Length));
    }

    [Test]
    public void AdamArgumentsAreTheSharedCoefficientsInKernelOrder()
    {
        var settings = new AdamSettings(Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, Amsgrad: true);
        var step = new UpdateStep(0.01, 3, L1: 0.5, L2: 0.25, WeightDecay: 0.1);
        var arguments = OptimizerArguments.Adam(AdamCoefficients<float>.From(settings, step));
        Assert.That(arguments.Kernel, Is.EqualTo(Kernel.AdamUpdateForward));
        Assert.That(arguments.Floats.ToArray(), Is.EqualTo(new[]
        {
            0.5f, 0.25f, (float)(1 - 0.01 * 0.1), 0.8f, (float)(1 - 0.8), 0.99f, (float)(1 - 0.99),
            (float)(-(0.01 / (1 - Math.Pow(0.8, 3)))), (float)Math.Sqrt(1 - Math.Pow(0.99, 3)), 1e-6f,
        }));
        Assert.That(arguments.Ints.ToArray(), Is.EqualTo(new[] { 1, 1 }));
    }

    [Test]
    public void SgdArgumentsCarryTheSwitchesAfterThePenalty()
    {
        var first = OptimizerArguments.Sgd(SgdCoefficients<float>.From(new SgdSettings(Momentum: 0.9, Dampening: 0.25, Nesterov: true),
            new UpdateStep(0.5, 1)));
        Assert.That(first.Floats.ToArray(), Is.EqualTo(new[] { 0f, 0f, 1f, -0.5f, 0.9f, 0.75f }));
        Assert.That(first.Ints.ToArray(), Is.EqualTo(new[] { 0, 1, 1, 1 }));
        var plain = OptimizerArguments.Sgd(SgdCoefficients<float>.From(new SgdSettings(Momentum: 0), new UpdateStep(0.5, 2, L1: 1e-3)));
        Assert.That(plain.Ints.ToArray(), Is.EqualTo(new[] { 1, 0, 0, 0 }));
    }

    [TestCase(1, 46, 1u)]
    [TestCase(4, 46, 1u)]
    [TestCase(1024, 46, 1u)]
    [TestCase(1025, 46, 2u)]
    [TestCase(4 * 256 * 368, 46, 368u)]
    [TestCase(int.MaxValue, 132, 1056u)]
    public void UpdateShapeHasOneItemPerQuad(int elements, int multiprocessors, uint blocks) =>
        Assert.That(CudaBackend.UpdateShape(elements, multiprocessors), Is.EqualTo(new LaunchShape(blocks, 256)));

    /// <summary>Every optimizer case, 3 steps, on aligned (float4 path) and misaligned (scalar path) arrays, with
    /// random values and with extreme ones: the host-compiled kernels give the CPU reference's exact bits.</summary>
    [Test]
    public void HostCompiledKernelsEqualTheCpuBitForBit()
    {
        using var harness = OptimizerHostHarness.Build(RepositoryRoot());
        using var cpu = new CpuBackend<float>(CpuKernels.Reference);
        var runs = new List<HostKernelRun>();
        var expected = new List<List<float[][]>>();
        var names = new List<string>();
        foreach (var optimizerCase in OptimizerCase.All)
        {
            foreach (int length in new[] { 1, 3, 4, 5, 8, 17, 64, 257 })
            foreach (int offset in new[] { 0, 1 })
            {
                Add(optimizerCase, offset, TestData.Uniform<float>(length, length, -2, 2),
                    t => TestData.Normal<float>(7 * t + length, length), $"{optimizerCase} length {length} offset {offset}");
            }
            foreach (int offset in new[] { 0, 2 })
            {
                // Parameters and states cycle through the extremes, and each step's gradient through a shifted
                // order, so every value meets many others.
                int n = 3 * Extremes.Length;
                var extremes = Enumerable.Range(0, n).Select(i => Extremes[i % Extremes.Length]).ToArray();
                Add(optimizerCase, offset, extremes,
                    t => Enumerable.Range(0, n).Select(i => Extremes[(5 * i + t) % Extremes.Length]).ToArray(),
                    $"{optimizerCase} extremes offset {offset}", extremes);
            }
        }
        var actual = harness.Execute(runs);
        for (int r = 0; r < runs.Count; r++)
        for (int step = 0; step < expected[r].Count; step++)
        for (int array = 0; array < expected[r][step].Length; array++)
            AssertSameBits(actual[r][step][array], expected[r][step][array], $"{names[r]} step {step + 1} array {array}");

        void Add(OptimizerCase optimizerCase, int offset, float[] initial, Func<int, float[]> gradient, string name,
            float[]? initialStates = null)
        {
            using var reference = new OptimizerRun<float>(cpu, optimizerCase, initial);
            if (initialStates is not null) reference.UploadStates(initialStates);
            var present = new Queue<float[]>(reference.States);
            var states = Slots(optimizerCase.Settings).Select(used => used ? present.Dequeue() : null).ToArray();
            var steps = new List<(float[], float[], int[])>();
            var trajectory = new List<float[][]>();
            for (int t = 1; t <= 3; t++)
            {
                var arguments = ArgumentsFor(optimizerCase, t);
                steps.Add((gradient(t), arguments.Floats.ToArray(), arguments.Ints.ToArray()));
                reference.Step(gradient(t), t);
                trajectory.Add([reference.Parameters, .. reference.States]);
            }
            runs.Add(new HostKernelRun(ArgumentsFor(optimizerCase, 1).Kernel, offset, initial, states, steps));
            expected.Add(trajectory);
            names.Add(name);
        }
    }

    /// <summary>The launch arguments of a case at a step, built as the launcher builds them.</summary>
    private static OptimizerArguments ArgumentsFor(OptimizerCase c, long step)
    {
        var update = new UpdateStep(c.LearningRate, step, c.L1, c.L2, c.WeightDecay);
        return c.Settings switch
        {
            SgdSettings s => OptimizerArguments.Sgd(SgdCoefficients<float>.From(s, update)),
            AdagradSettings s => OptimizerArguments.Adagrad(AdagradCoefficients<float>.From(s, update)),
            AdadeltaSettings s => OptimizerArguments.Adadelta(AdadeltaCoefficients<float>.From(s, update)),
            RmsPropSettings s => OptimizerArguments.RmsProp(RmsPropCoefficients<float>.From(s, update)),
            AdamSettings s => OptimizerArguments.Adam(AdamCoefficients<float>.From(s, update)),
            AdamaxSettings s => OptimizerArguments.Adamax(AdamaxCoefficients<float>.From(s, update)),
            NadamSettings s => OptimizerArguments.Nadam(NadamCoefficients<float>.From(s, update, s.MuProduct(step))),
            _ => throw new ArgumentException($"Unknown settings {c.Settings.GetType()}.", nameof(c)),
        };
    }

    /// <summary>The state slots of each kernel, in parameter order, and whether the launcher passes a tensor for each
    /// (the others get a null pointer).</summary>
    internal static bool[] Slots(object settings) => settings switch
    {
        SgdSettings s => [s.Momentum > 0],
        AdagradSettings => [true],
        RmsPropSettings s => [true, s.Centered, s.Momentum > 0],
        AdamSettings s => [true, true, s.Amsgrad],
        _ => [true, true], // Adadelta, Adamax, NAdam
    };

    /// <summary>Bit equality, except that any NaN matches any NaN (the GPU's canonical NaN is not x86's).</summary>
    internal static void AssertSameBits(float[] actual, float[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            bool same = float.IsNaN(expected[i])
                ? float.IsNaN(actual[i])
                : BitConverter.SingleToUInt32Bits(actual[i]) == BitConverter.SingleToUInt32Bits(expected[i]);
            if (!same) Assert.Fail($"{what}: element {i} is {actual[i]:R} but the CPU has {expected[i]:R}");
        }
    }

    internal static string RepositoryRoot()
    {
        string start = TestContext.CurrentContext.TestDirectory;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CudaNet.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"no CudaNet.sln above {start}");
    }
}
