using System.Text.RegularExpressions;
using CudaNet.Cpu;
using CudaNet.Cuda;
using CudaNet.Tests.Optimizers;
using CudaNet.Tests.StepControl;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// What of the step-control kernels can be checked without a GPU: their documentation, the controlled launchers'
/// arguments against the PTX signatures, and — compiled for the host — begin_step's counters and records and the
/// controlled updates' element math against the CPU backend, bit for bit.
/// </summary>
[TestFixture]
public sealed class StepControlKernelTests
{
    private static readonly string[] Architectures = ["sm_75", "sm_80"];

    /// <summary>(‖g‖², loss) per step: finite, clipped at 1.5, NaN loss, infinite gradient, tiny, huge.</summary>
    private static readonly (float, float)[] Steps =
        [(0.5f, 1), (4, 1), (1, float.NaN), (float.PositiveInfinity, 1), (1e-30f, 2), (1e12f, 0.25f), (2.25f, 3)];

    [Test]
    public void KernelsCuDocumentsTheStepControlFamily()
    {
        string source = File.ReadAllText(Path.Combine(OptimizerKernelTests.RepositoryRoot(), "kernels.cu"));
        foreach (string section in new[] { "Step control family: begin_step", "copy_if_skipped" })
        {
            var header = Regex.Match(source, $@"// ==== {section} =+\n//\n(?<comment>(//.*\n)+)");
            Assert.That(header.Success, Is.True, $"section header of {section}");
            Assert.That(header.Groups["comment"].Value, Does.Contain("Launch:").And.Contain("Napkin math:"), section);
        }
        foreach (string kernel in new[] { "sgd", "adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam" })
            Assert.That(source, Does.Contain($"extern \"C\" __global__ void {kernel}_update_controlled("), kernel);
    }

    [TestCaseSource(nameof(Architectures))]
    public void ControlledLaunchArgumentsMatchThePtxSignature(string arch)
    {
        string ptx = PtxModules.Load(arch);
        var seen = new HashSet<Kernel>();
        using (Assert.EnterMultipleScope())
        {
            foreach (var optimizerCase in OptimizerCase.All)
            {
                var arguments = ControlledUpdateArguments.For(PlanOf(optimizerCase, kerasEps: false, groups: 1));
                seen.Add(arguments.Kernel);
                Assert.That(arguments.Arrays, Is.EqualTo(2 + OptimizerKernelTests.Slots(optimizerCase.Settings).Length + 1), optimizerCase.Name);
                var expected = KernelTableTests.Signature(arguments.Arrays, 0, arguments.Ints.Length + 1);
                Assert.That(KernelTableTests.ParameterTypes(ptx, KernelNames.Of(arguments.Kernel)), Is.EqualTo(expected),
                    $"{optimizerCase.Name} in {arch}");
            }
        }
        Assert.That(seen, Has.Count.EqualTo(7));
    }

    [Test]
    public void ControlledSwitchesAreTheStaticSettings()
    {
        var rmsprop = ControlledUpdateArguments.For(new UpdatePlan(new RmsPropSettings(Momentum: 0.5, Centered: true), []));
        Assert.That((rmsprop.Kernel, rmsprop.Ints.ToArray()), Is.EqualTo((Kernel.RmsPropUpdateControlled, new[] { 1, 1, 0 })));
        var sgd = ControlledUpdateArguments.For(new UpdatePlan(new SgdSettings(Momentum: 0.9, Nesterov: true), []));
        Assert.That((sgd.Kernel, sgd.Ints.ToArray()), Is.EqualTo((Kernel.SgdUpdateControlled, new[] { 1, 1 })));
        var amsgrad = ControlledUpdateArguments.For(new UpdatePlan(new AdamSettings(Amsgrad: true), []));
        Assert.That((amsgrad.Arrays, amsgrad.Ints.ToArray()), Is.EqualTo((6, new[] { 1 })));
    }

    /// <summary>Every optimizer (and Keras' Adam), with and without clipping, over many learning rates and starting
    /// steps, three groups with different penalties: begin_step compiled for the host writes the CPU's state and
    /// records bit for bit after every step.</summary>
    [Test]
    public void HostCompiledBeginStepEqualsTheCpuBitForBit()
    {
        using var harness = StepControlHostHarness.Build(OptimizerKernelTests.RepositoryRoot());
        using var cpu = new CpuBackend<float>(CpuKernels.Reference);
        var random = new Random(5);
        var runs = new List<BeginStepRun>();
        var expected = new List<List<(double[] State, float[] Records)>>();
        var names = new List<string>();
        var cases = OptimizerCase.All.Select(c => (Case: c, Keras: false))
            .Append((new OptimizerCase("AdamKeras", new AdamSettings(Eps: 1e-7), 1e-3, WeightDecay: 4e-3), true));
        foreach (var (optimizerCase, keras) in cases)
        foreach (long firstStep in new long[] { 0, 1, 9, 999, 123_456 })
        foreach (bool clip in new[] { false, true })
        {
            var plan = PlanOf(optimizerCase, keras, groups: 3) with { MaxGradNorm = clip ? 1.5 : null };
            using var control = new StepControl<float>(cpu, plan, Steps.Length + 1);
            var rates = Enumerable.Range(0, Steps.Length).Select(_ => Math.Exp(random.NextDouble() * 14 - 11.5)).ToArray();
            double product = optimizerCase.Settings is NadamSettings nadam ? nadam.MuProduct(firstStep) : 1;
            control.StartEpoch(rates, firstStep, product);
            runs.Add(new BeginStepRun(plan.Groups.Count, cpu.ToArray(control.PlanValues), cpu.ToArray(control.State),
                cpu.ToArray(control.LearningRates), cpu.ToArray(control.Powers), Steps));
            using var scalars = cpu.Allocate<float>(2);
            var trajectory = new List<(double[], float[])>();
            foreach (var (norm, loss) in Steps)
            {
                cpu.Upload(scalars, [norm, loss]);
                cpu.BeginStep(control, scalars.View(0, 1), scalars.View(1, 1));
                trajectory.Add((cpu.ToArray(control.State), cpu.ToArray(control.Records)));
            }
            expected.Add(trajectory);
            names.Add($"{optimizerCase} from step {firstStep}{(clip ? " clipped" : "")}");
        }
        var actual = harness.Execute(runs);
        for (int r = 0; r < runs.Count; r++)
        for (int step = 0; step < Steps.Length; step++)
        {
            string what = $"{names[r]} step {step + 1}";
            Assert.That(actual[r][step].State.Select(BitConverter.DoubleToUInt64Bits), Is.EqualTo(expected[r][step].State.Select(BitConverter.DoubleToUInt64Bits)),
                what + " state");
            OptimizerKernelTests.AssertSameBits(actual[r][step].Records, expected[r][step].Records, what + " records");
        }
        Assert.That(runs, Has.Count.GreaterThan(250));
    }

    /// <summary>Every optimizer's _controlled kernel compiled for the host, on aligned and misaligned ranges, over the
    /// steps above (one skipped for its loss, one for its gradient, some clipped): the CPU's controlled update, bit for
    /// bit, from the CPU's records.</summary>
    [Test]
    public void HostCompiledControlledKernelsEqualTheCpuBitForBit()
    {
        using var harness = OptimizerHostHarness.Build(OptimizerKernelTests.RepositoryRoot());
        using var cpu = new CpuBackend<float>(CpuKernels.Reference);
        var runs = new List<HostKernelRun>();
        var expected = new List<List<float[][]>>();
        var names = new List<string>();
        foreach (var optimizerCase in OptimizerCase.All)
        foreach (int length in new[] { 1, 5, 17, 64, 257 })
        foreach (int offset in new[] { 0, 1 })
        {
            var plan = PlanOf(optimizerCase, kerasEps: false, groups: 1) with { MaxGradNorm = 1.5 };
            var arguments = ControlledUpdateArguments.For(plan);
            using var rig = new UpdateRig<float>(cpu, optimizerCase, TestData.Uniform<float>(length, length, -2, 2));
            using var control = new StepControl<float>(cpu, plan, Steps.Length);
            control.StartEpoch(Enumerable.Repeat(optimizerCase.LearningRate, Steps.Length).ToArray(), 0, 1);
            using var scalars = cpu.Allocate<float>(2);
            var initial = rig.Snapshot();
            var present = new Queue<float[]>(initial.Skip(1));
            var states = OptimizerKernelTests.Slots(optimizerCase.Settings).Select(used => used ? present.Dequeue() : null).ToArray();
            var steps = new List<(float[], float[], int[])>();
            var trajectory = new List<float[][]>();
            for (int k = 0; k < Steps.Length; k++)
            {
                var gradient = TestData.Normal<float>(31 * k + length, length);
                if (k == 3) gradient[0] = float.PositiveInfinity;
                cpu.Upload(rig.Gradients, gradient);
                cpu.Upload(scalars, [Steps[k].Item1, Steps[k].Item2]);
                cpu.BeginStep(control, scalars.View(0, 1), scalars.View(1, 1));
                rig.ControlledUpdate(control);
                steps.Add((gradient, cpu.ToArray(control.Records), arguments.Ints.ToArray()));
                trajectory.Add(rig.Snapshot());
            }
            runs.Add(new HostKernelRun(arguments.Kernel, offset, initial[0], states, steps));
            expected.Add(trajectory);
            names.Add($"{optimizerCase} controlled length {length} offset {offset}");
        }
        var actual = harness.Execute(runs);
        for (int r = 0; r < runs.Count; r++)
        for (int step = 0; step < expected[r].Count; step++)
        for (int array = 0; array < expected[r][step].Length; array++)
            OptimizerKernelTests.AssertSameBits(actual[r][step][array], expected[r][step][array], $"{names[r]} step {step + 1} array {array}");
    }

    /// <summary>A case's plan: the case's penalties on the first group, L1 only on the second, decay only on the third.</summary>
    private static UpdatePlan PlanOf(OptimizerCase c, bool kerasEps, int groups) => new(c.Settings,
        new[] { new GroupPenalties(c.L1, c.L2, c.WeightDecay), new GroupPenalties(L1: 0.003), new GroupPenalties(WeightDecay: 0.05) }[..groups],
        EpsOverBiasCorrection: kerasEps);
}
