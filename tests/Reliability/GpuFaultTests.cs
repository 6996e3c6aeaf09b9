using System.Text;
using CudaNet.Cpu;
using CudaNet.Cuda;
using CudaNet.Tests.Support;
using CudaNet.Tests.Training;
using NUnit.Framework;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// GPU faults are clear exceptions and never take the process down: an out-of-bounds write is a sticky
/// <see cref="CudaException"/> after which the backend refuses work; an allocation larger than the device is a
/// non-sticky out-of-memory error; in both cases training goes on on the CPU. Ignored without a usable GPU.
/// </summary>
[NonParallelizable]
public sealed unsafe class GpuFaultTests
{
    /// <summary>A kernel that writes one int to the address it is given.</summary>
    private const string WriteKernelPtx = """
        .version 7.0
        .target sm_75
        .address_size 64
        .visible .entry write_to(.param .u64 address)
        {
            .reg .u64 %rd<1>;
            .reg .u32 %r<1>;
            ld.param.u64 %rd0, [address];
            mov.u32 %r0, 1;
            st.global.u32 [%rd0], %r0;
            ret;
        }
        """;

    private static void TrainOnTheCpu()
    {
        using var cpu = new CpuBackend<float>();
        var data = Blobs.Make(64, 5, 3, separation: 2, seed: 1);
        using var session = new Sequential(new Dense(5, 8), new ReLU(), new Dense(8, 3)).Compile(cpu, new Adam(0.01), Loss.SoftmaxCrossEntropy);
        var history = session.Fit(data, epochs: 5);
        Assert.That(history[^1].Loss, Is.LessThan(history[0].Loss), "the process trains on the CPU after the GPU fault");
    }

    [Test]
    public void AnOutOfBoundsWriteIsAStickyCudaExceptionAndTheBackendRefusesFurtherWork()
    {
        var backend = (CudaBackend)TestBackends.Create("cuda");
        using var tensor = backend.Allocate<float>(16);
        backend.Context.MakeCurrent();
        nint module, function;
        byte[] image = Encoding.ASCII.GetBytes(WriteKernelPtx + "\0");
        fixed (byte* ptx = image) ThrowIfFailed(cuModuleLoadDataEx(&module, ptx, 0, null, null), nameof(cuModuleLoadDataEx));
        fixed (byte* name = "write_to\0"u8) ThrowIfFailed(cuModuleGetFunction(&function, module, name), nameof(cuModuleGetFunction));
        // Far outside every allocation (the first page is never mapped).
        ulong address = 8;
        void* argument = &address;
        ThrowIfFailed(cuLaunchKernel(function, 1, 1, 1, 1, 1, 1, 0, backend.Stream.Handle, &argument, null), nameof(cuLaunchKernel));

        // The next op of the backend, in synchronous mode, waits on the stream and meets the fault.
        var fault = Assert.Throws<CudaException>(() => backend.Fill(tensor, 1));
        Assert.That(fault!.IsSticky, Is.True);
        Assert.That(fault.ErrorName, Is.EqualTo("CUDA_ERROR_ILLEGAL_ADDRESS"));
        Assert.That(fault.Message, Does.Contain("failed: CUDA_ERROR_ILLEGAL_ADDRESS"));
        Assert.That(fault.Call, Is.Not.Empty, "the message names the call that met the fault");

        var refused = Assert.Throws<InvalidOperationException>(() => backend.Fill(tensor, 2));
        Assert.That(refused!.Message, Does.Contain("refused").And.Contain("CUDA_ERROR_ILLEGAL_ADDRESS"));
        Assert.That(refused.InnerException, Is.SameAs(fault));
        Assert.Throws<InvalidOperationException>(() => backend.Allocate<float>(4));
        tensor.Dispose();
        backend.Dispose();
        TestContext.Out.WriteLine($"illegal address: {fault.Message}; later calls refused: {refused.Message}");
        TrainOnTheCpu();
    }

    [Test]
    public void AnAllocationLargerThanTheDeviceIsAClearOutOfMemoryErrorAndTheBackendStaysUsable()
    {
        using var backend = (CudaBackend)TestBackends.Create("cuda");
        long live = backend.Allocations.LiveBytes;
        // 4 TiB of floats: more than any device holds.
        var error = Assert.Catch(() => backend.Allocate<float>(1 << 30, 1 << 10));
        Assert.That(error!.ToString(), Does.Contain("OUT_OF_MEMORY").Or.Contain("out of memory"));
        Assert.That(backend.Allocations.LiveBytes, Is.EqualTo(live), "nothing is counted for the failed allocation");
        using var small = backend.FromArray([1f, 2f, 3f]);
        backend.Scale(small, small, 2);
        Assert.That(backend.ToArray(small), Is.EqualTo(new[] { 2f, 4f, 6f }), "out of memory is not sticky");
        TestContext.Out.WriteLine($"4 TiB allocation: {error.GetType().Name}: {error.Message}");
        TrainOnTheCpu();
    }
}
