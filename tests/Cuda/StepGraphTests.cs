using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Cuda;

/// <summary>
/// <see cref="StepGraph"/> against a fake device that executes what is issued or launched: over many steps whose
/// arguments, structure and failures vary, the device runs exactly the commands each step recorded, in order, with
/// their arguments — what running the steps directly would have queued.
/// </summary>
public sealed class StepGraphTests
{
    private const nint Gemm = 11, Relu = 12, Dropout = 13;

    /// <summary>A kernel launch with two parameters: a pointer (8 bytes) and an int (4 bytes).</summary>
    private static unsafe void Launch(StepRecording recording, nint function, ulong pointer, int value, uint grid = 4)
    {
        var arguments = stackalloc nint[] { (nint)(&pointer), (nint)(&value) };
        recording.AddKernel(Kernel.AxpyForward, function, new LaunchShape(grid, 256), new ReadOnlySpan<nint>(arguments, 2),
            [8, 4]);
    }

    [Test]
    public void ReplaysUpdateOnlyTheNodesWhoseArgumentsChanged()
    {
        var device = new FakeDevice();
        using var graph = new StepGraph(device);
        var expected = new List<string>();
        for (int step = 0; step < 5; step++)
        {
            int current = step;
            graph.Run(() =>
            {
                Launch(device.Recording!, Gemm, 0x1000 + 64 * (ulong)current, 7); // a batch view: moves every step
                device.Recording!.AddCopy(0x9000, 0x8000, 256);
                Launch(device.Recording!, Relu, 0x2000, 7);                       // static
                Launch(device.Recording!, Dropout, 0x3000, 100 + current);        // an RNG offset
            });
            expected.AddRange([$"k{Gemm}:{0x1000 + 64 * step:x}:7:4", "c9000<-8000:256", $"k{Relu}:2000:7:4", $"k{Dropout}:3000:{100 + step:x}:4"]);
        }
        Assert.That(device.Executed, Is.EqualTo(expected));
        Assert.That(graph.Counters, Is.EqualTo(new StepGraphCounters(Steps: 5, Captures: 1, Replays: 4, UpdatedNodes: 8, Commands: 4)));
        Assert.That(device.Instantiated, Is.EqualTo(1));
    }

    [Test]
    public void AChangedGeometryIsAnUpdateButAChangedStructureOrCopyIsACapture()
    {
        var device = new FakeDevice();
        using var graph = new StepGraph(device);
        var expected = new List<string>();
        void Step(int kernels, uint grid, ulong copySource)
        {
            graph.Run(() =>
            {
                for (int i = 0; i < kernels; i++) Launch(device.Recording!, Relu, 0x2000 + (ulong)i, 1, grid);
                device.Recording!.AddCopy(0x9000, copySource, 16);
            });
            for (int i = 0; i < kernels; i++) expected.Add($"k{Relu}:{0x2000 + i:x}:1:{grid}");
            expected.Add($"c9000<-{copySource:x}:16");
        }
        Step(2, 4, 0x8000);
        Step(2, 8, 0x8000); // grid changed: both nodes updated, replayed
        Step(3, 8, 0x8000); // one more kernel: captured anew
        Step(3, 8, 0x8100); // the copy's source moved: captured anew (copy nodes are not updated in place)
        Step(3, 8, 0x8100);
        Assert.That(device.Executed, Is.EqualTo(expected));
        Assert.That(graph.Counters, Is.EqualTo(new StepGraphCounters(5, Captures: 3, Replays: 2, UpdatedNodes: 2, Commands: 4)));
        Assert.That(device.Destroyed, Is.EqualTo(2), "each re-capture frees the graph it replaces");
    }

    [Test]
    public void AThrowingStepQueuesNothingAndTheNextStepStillRuns()
    {
        var device = new FakeDevice();
        using var graph = new StepGraph(device);
        graph.Run(() => Launch(device.Recording!, Relu, 0x2000, 1));
        Assert.Throws<InvalidOperationException>(() => graph.Run(() =>
        {
            Launch(device.Recording!, Relu, 0x2100, 1);
            throw new InvalidOperationException("host read inside the step");
        }));
        Assert.That(device.Recording, Is.Null, "recording ended even though the step threw");
        graph.Run(() => Launch(device.Recording!, Relu, 0x2200, 1));
        Assert.That(device.Executed, Is.EqualTo(new[] { $"k{Relu}:2000:1:4", $"k{Relu}:2200:1:4" }));
        Assert.That(graph.Counters.Replays, Is.EqualTo(1));
    }

    [Test]
    public void AFailedUpdateRunsTheStepDirectlyAndTurnsGraphsOff()
    {
        var device = new FakeDevice();
        using var graph = new StepGraph(device);
        graph.Run(() => Launch(device.Recording!, Relu, 0x2000, 1));
        device.Failure = "update refused";
        graph.Run(() => Launch(device.Recording!, Relu, 0x2100, 1));
        device.Failure = null;
        graph.Run(() => Launch(device.Recording!, Relu, 0x2200, 1));
        Assert.That(device.Executed, Is.EqualTo(new[] { $"k{Relu}:2000:1:4", $"k{Relu}:2100:1:4", $"k{Relu}:2200:1:4" }));
        Assert.That(graph.Counters, Is.EqualTo(new StepGraphCounters(3, Captures: 1, Replays: 0, UpdatedNodes: 0, Commands: 1,
            DisabledReason: "update refused")));
        Assert.That((device.Destroyed, device.Instantiated), Is.EqualTo((1, 1)), "the graph is freed and never rebuilt");
    }

    [Test]
    public void AFailedCaptureIsAbandonedAndTheStepRunsDirectly()
    {
        var device = new FakeDevice { Failure = "capture unsupported" };
        using var graph = new StepGraph(device);
        graph.Run(() => Launch(device.Recording!, Relu, 0x2000, 1));
        Assert.That((device.Capturing, device.Abandoned), Is.EqualTo((false, 1)));
        Assert.That(device.Executed, Is.EqualTo(new[] { $"k{Relu}:2000:1:4" }));
        Assert.That(graph.Counters.DisabledReason, Is.EqualTo("capture unsupported"));
    }

    [Test]
    public void AnUnrecoverableFailureIsThrownAndNothingRuns()
    {
        var device = new FakeDevice { Failure = FakeDevice.Sticky };
        using var graph = new StepGraph(device);
        var error = Assert.Throws<InvalidOperationException>(() => graph.Run(() => Launch(device.Recording!, Relu, 0x2000, 1)));
        Assert.That(error!.Message, Is.EqualTo(FakeDevice.Sticky));
        Assert.That(device.Executed, Is.Empty);
        Assert.That(graph.Counters.DisabledReason, Is.Null);
    }

    [Test]
    public void RecordingKeepsEachArgumentAtItsDeclaredWidth()
    {
        var recording = new StepRecording();
        // A 4-byte parameter read from an 8-byte value keeps only its low half: the bytes past an int are not the
        // argument's, and must not make two equal launches compare unequal.
        unsafe
        {
            ulong wide = 0xDEAD_BEEF_0000_0005;
            var arguments = stackalloc nint[] { (nint)(&wide), (nint)(&wide) };
            recording.AddKernel(Kernel.FillForward, Relu, new LaunchShape(1, 32), new ReadOnlySpan<nint>(arguments, 2), [8, 4]);
            Assert.That(recording.Slots.AsSpan(0, 2).ToArray(), Is.EqualTo(new ulong[] { 0xDEAD_BEEF_0000_0005, 5 }));
            var error = Assert.Throws<ArgumentException>(() => recording.AddKernel(Kernel.FillForward, Relu,
                new LaunchShape(1, 32), new ReadOnlySpan<nint>(arguments, 2), [8, 4, 4]));
            Assert.That(error!.Message, Does.Contain("fill_forward: the launcher passes 2 arguments but the PTX declares 3"));
        }
    }

    [TestCaseSource(typeof(KernelSource), nameof(KernelSource.Architectures))]
    public void RecordedArgumentWidthsAreThePtxParameterWidths(string arch)
    {
        string ptx = PtxModules.Load(arch);
        var entries = PtxModules.EntryPoints(arch);
        Assert.That(entries, Is.Not.Empty);
        foreach (string entry in entries)
        {
            var widths = KernelTableTests.ParameterTypes(ptx, entry).Select(type => (byte)(int.Parse(type[1..]) / 8));
            Assert.That(PtxModules.ParseParameterSizes(ptx, entry), Is.EqualTo(widths), $"{entry} in {arch}");
        }
        var error = Assert.Throws<ArgumentException>(() => PtxModules.ParseParameterSizes(ptx, "no_such_kernel"));
        Assert.That(error!.Message, Does.Contain("no entry 'no_such_kernel'"));
        error = Assert.Throws<ArgumentException>(() => PtxModules.ParseParameterSizes(
            ".visible .entry k(\n\t.param .align 8 .b8 k_param_0[16]\n)", "k"));
        Assert.That(error!.Message, Does.Contain("Parameter 0 of 'k' is not a scalar"));
    }

    [Test]
    public void DisposedGraphRefusesToRunAndDisposingTwiceIsHarmless()
    {
        var device = new FakeDevice();
        var graph = new StepGraph(device);
        graph.Run(() => Launch(device.Recording!, Relu, 0x2000, 1));
        graph.Dispose();
        graph.Dispose();
        Assert.That(device.Destroyed, Is.EqualTo(1));
        Assert.Throws<ObjectDisposedException>(() => graph.Run(() => { }));
    }

    /// <summary>A device that runs commands when they are issued outside a capture or when a graph holding them is
    /// launched, and keeps what it ran as text ("k{function}:{pointer}:{value}:{grid}", "c{dst}&lt;-{src}:{bytes}").</summary>
    private sealed class FakeDevice : IStepGraphExecutor
    {
        private readonly Dictionary<nint, List<string>> _graphs = [];
        private List<string>? _capture;
        private nint _nextHandle = 1;

        public StepRecording? Recording { get; private set; }
        public List<string> Executed { get; } = [];
        public int Instantiated { get; private set; }
        public int Destroyed { get; private set; }
        public int Abandoned { get; private set; }
        public bool Capturing => _capture is not null;
        /// <summary>Set: capturing (an issue during a capture) and updating throw an exception with this message.</summary>
        public string? Failure { get; set; }
        public const string Sticky = "illegal address (sticky)";

        private static string Describe(StepRecording recording, int index)
        {
            var command = recording[index];
            if (command.Kind == StepCommandKind.Copy) return $"c{command.Destination:x}<-{command.Source:x}:{command.Bytes}";
            var slots = recording.Slots;
            return $"k{command.Function}:{slots[command.FirstArgument]:x}:{slots[command.FirstArgument + 1]:x}:{command.Shape.GridX}";
        }

        public void BeginRecording(StepRecording recording) => Recording = recording;
        public void EndRecording() => Recording = null;

        public void Issue(StepRecording recording, int index)
        {
            if (_capture is not null && Failure is { } failure) throw new InvalidOperationException(failure);
            (_capture ?? Executed).Add(Describe(recording, index));
        }

        public void BeginCapture() => _capture = [];
        public nint LastCapturedNode() => _capture!.Count - 1;

        public (nint Graph, nint Executable) EndCapture()
        {
            nint handle = _nextHandle++;
            _graphs[handle] = _capture!;
            _capture = null;
            Instantiated++;
            return (handle, handle);
        }

        public void AbandonCapture()
        {
            _capture = null;
            Abandoned++;
        }

        public void Update(nint executable, nint node, StepRecording recording, int index)
        {
            if (Failure is { } failure) throw new InvalidOperationException(failure);
            _graphs[executable][(int)node] = Describe(recording, index);
        }

        public void Launch(nint executable) => Executed.AddRange(_graphs[executable]);

        public bool IsRecoverable(Exception error) => error.Message != Sticky;

        public void Destroy(nint graph, nint executable)
        {
            Assert.That(_graphs.Remove(executable), Is.True, "destroyed a graph that exists");
            Destroyed++;
        }
    }
}
