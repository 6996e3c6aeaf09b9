using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.StepControl;

/// <summary>DESIGN.md §3: a training step allocates nothing; the step-control ops neither, on the SIMD backend with
/// its parallel split.</summary>
public sealed class StepControlAllocationTests
{
    [Test]
    public void StepControlOpsAllocateNothingPerCallOnceWarm()
    {
        const int n = 512 * 1024;
        using var cpu = new CpuBackend<float>(maxThreads: 2);
        using var w = cpu.FromArray(TestData.Uniform<float>(1, n));
        using var g = cpu.FromArray(TestData.Normal<float>(2, n));
        using var m = cpu.Allocate<float>(n);
        using var v = cpu.Allocate<float>(n);
        using var saved = cpu.Allocate<float>(n);
        using var norm = cpu.FromArray(new[] { 1e4f });
        using var loss = cpu.FromArray(new[] { 1f });
        using var control = new StepControl<float>(cpu, new UpdatePlan(new AdamSettings(), [new GroupPenalties(L2: 1e-4)], MaxGradNorm: 1), 1000);
        control.StartEpoch(Enumerable.Repeat(1e-3, 1000).ToArray(), 0, 1);
        void Step()
        {
            cpu.BeginStep(control, norm, loss);
            cpu.AdamUpdate(w, g, m, v, null, control, 0);
            cpu.CopyIfSkipped(w, saved, control);
        }
        for (int i = 0; i < 20; i++) Step();
        // The least of three tries: another thread of the test host may allocate while one try runs.
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 3 && least > 0; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 50; i++) Step();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.That(least, Is.Zero, "bytes allocated by 50 controlled steps");
        Assert.That(control.ReadCounters().Step, Is.GreaterThanOrEqualTo(70), "every step applied (clipped)");
    }
}
