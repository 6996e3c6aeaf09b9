using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Core;

public sealed class TensorTests
{
    [Test]
    public void AllocationCounterReturnsToBaselineAfterDispose()
    {
        using var cpu = new CpuBackend<float>();
        var a = cpu.Allocate<float>(3, 5);
        var b = cpu.Allocate<int>(7);
        Assert.That(cpu.Allocations.LiveCount, Is.EqualTo(2));
        Assert.That(cpu.Allocations.LiveBytes, Is.EqualTo(3 * 5 * 4 + 7 * 4));
        a.Dispose();
        a.Dispose(); // twice is harmless and counts once
        b.Dispose();
        Assert.That(cpu.Allocations.LiveCount, Is.Zero);
        Assert.That(cpu.Allocations.LiveBytes, Is.Zero);
    }

    [Test]
    public void ForgottenTensorIsFreedByTheFinalizer()
    {
        using var cpu = new CpuBackend<float>();
        AllocateAndDrop(cpu);
        for (int i = 0; i < 10 && cpu.Allocations.LiveCount != 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.That(cpu.Allocations.LiveCount, Is.Zero);
        Assert.That(cpu.Allocations.LiveBytes, Is.Zero);
    }

    private static void AllocateAndDrop(CpuBackend<float> cpu) => cpu.Allocate<float>(1000);

    [Test]
    public void AllocateZeroFillsAndRoundTrips()
    {
        using var cpu = new CpuBackend<double>();
        using var t = cpu.Allocate<double>(2, 3);
        Assert.That(cpu.ToArray(t), Is.EqualTo(new double[6]));
        cpu.Upload(t, new double[] { 1, 2, 3, 4, 5, 6 });
        Assert.That(cpu.ToArray(t), Is.EqualTo(new double[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(t.Rows, Is.EqualTo(2));
        Assert.That(t.Columns, Is.EqualTo(3));
    }

    [Test]
    public void ViewsShareStorageAndDoNotOwnIt()
    {
        using var cpu = new CpuBackend<float>();
        using var flat = cpu.FromArray(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 });
        var view = flat.View(2, 2, 2);
        Assert.That(cpu.ToArray(view), Is.EqualTo(new float[] { 2, 3, 4, 5 }));
        cpu.Upload(view, new float[] { -2, -3, -4, -5 });
        Assert.That(cpu.ToArray(flat), Is.EqualTo(new float[] { 0, 1, -2, -3, -4, -5, 6, 7 }));
        view.Dispose();
        Assert.That(flat.Storage.IsDisposed, Is.False, "disposing a view must not free the owner's memory");
        Assert.That(cpu.ToArray(flat.Reshape(4, 2)), Has.Length.EqualTo(8));
    }

    [Test]
    public void BadShapesAndViewsThrow()
    {
        using var cpu = new CpuBackend<float>();
        using var t = cpu.Allocate<float>(4);
        Assert.Throws<ArgumentException>(() => cpu.Allocate<float>(2, -1));
        Assert.Throws<ArgumentException>(() => cpu.Allocate<float>(65536, 65536));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.View(2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.View(-1, 1));
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(3))!;
        Assert.That(e.Message, Does.Contain("[4]").And.Contain("[3]"));
    }

    [Test]
    public void TransfersRejectLengthMismatchAndForeignOrDisposedTensors()
    {
        using var cpu = new CpuBackend<float>();
        using var other = new CpuBackend<float>();
        using var t = cpu.Allocate<float>(3);
        var e = Assert.Throws<ArgumentException>(() => cpu.Upload(t, new float[4]))!;
        Assert.That(e.Message, Does.Contain("Upload").And.Contain("source"));
        Assert.Throws<ArgumentException>(() => cpu.Download(t, new float[2]));
        using var foreign = other.Allocate<float>(3);
        e = Assert.Throws<ArgumentException>(() => cpu.Scale(t, foreign, 2))!;
        Assert.That(e.Message, Does.Contain("Scale").And.Contain("'x'").And.Contain("another backend"));
        var dead = cpu.Allocate<float>(3);
        dead.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cpu.Scale(t, dead, 2));
    }

    [Test]
    public void ElementwiseOpsRunInPlaceButRejectPartlyOverlappingViews()
    {
        using var cpu = new CpuBackend<float>();
        using var t = cpu.FromArray(new float[] { 1, 2, 3, 4, 5 });
        cpu.Scale(t, t, 2);
        Assert.That(cpu.ToArray(t), Is.EqualTo(new float[] { 2, 4, 6, 8, 10 }));
        var e = Assert.Throws<ArgumentException>(() => cpu.Axpy(t.View(1, 4), t.View(0, 4), 1))!;
        Assert.That(e.Message, Does.Contain("Axpy").And.Contain("overlaps"));
    }

    [Test]
    public void DisposedBackendRefusesWork()
    {
        var cpu = new CpuBackend<float>();
        using var t = cpu.Allocate<float>(3);
        cpu.Dispose();
        cpu.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cpu.Fill(t, 1));
        Assert.Throws<ObjectDisposedException>(() => cpu.Allocate<float>(1));
    }

    [Test]
    public void BadConstructorArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new CpuBackend<float>(maxThreads: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new CpuBackend<float>((CpuKernels)7));
    }
}
