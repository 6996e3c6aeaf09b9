using CudaNet.Cpu;
using CudaNet.Cuda;
using NUnit.Framework;

namespace CudaNet.Tests.Support;

/// <summary>
/// Base of the conformance suite (DESIGN.md §11): written once against <see cref="IBackend{T}"/>, instantiated per
/// backend with <c>[TestFixture("cpu")]</c> (and <c>[TestFixture("cuda")]</c>, ignored without a GPU). Each test
/// runs an op on <see cref="Backend"/> and on the float32 plain-loop <see cref="Reference"/> and compares.
/// </summary>
public abstract class ConformanceTest(string backendName)
{
    /// <summary>The backend under test.</summary>
    protected IBackend<float> Backend { get; private set; } = null!;

    /// <summary>The plain-loop CPU reference.</summary>
    protected CpuBackend<float> Reference { get; private set; } = null!;

    /// <summary>Name of the backend under test.</summary>
    protected string BackendName => backendName;

    [OneTimeSetUp]
    public void CreateBackends()
    {
        Backend = TestBackends.Create(backendName);
        Reference = new CpuBackend<float>(CpuKernels.Reference);
    }

    [OneTimeTearDown]
    public void DisposeBackends()
    {
        Backend?.Dispose();
        Reference?.Dispose();
    }

    /// <summary>Uploads <paramref name="data"/> to the backend under test.</summary>
    protected Tensor<TElement> OnBackend<TElement>(TElement[] data, params int[] shape) where TElement : unmanaged =>
        Backend.FromArray(data, shape);

    /// <summary>Uploads <paramref name="data"/> to the reference.</summary>
    protected Tensor<TElement> OnReference<TElement>(TElement[] data, params int[] shape) where TElement : unmanaged =>
        Reference.FromArray(data, shape);
}

/// <summary>Creates backends by name for fixtures.</summary>
public static class TestBackends
{
    /// <summary><c>cpu</c> (SIMD), <c>cpu-reference</c>, <c>cuda</c>. Without a usable GPU <c>cuda</c> calls
    /// <see cref="Assert.Ignore(string)"/> with the reason, so its fixtures are skipped rather than failed.</summary>
    /// <remarks>The CUDA backend runs in synchronous mode here: a kernel fault, and a device-side argument error (an
    /// index out of range), is then thrown by the call that caused it, which is what the shared tests assert.</remarks>
    public static IBackend<float> Create(string name) => name switch
    {
        "cpu" => new CpuBackend<float>(),
        "cpu-reference" => new CpuBackend<float>(CpuKernels.Reference),
        "cuda" => CreateCuda(),
        _ => throw new ArgumentException($"Unknown backend '{name}'.", nameof(name)),
    };

    private static CudaBackend CreateCuda()
    {
        if (!CudaBackend.TryCreate(out var backend, out string reason))
            Assert.Ignore($"CUDA unavailable: {reason}.");
        backend!.SynchronizeAfterEachLaunch = true;
        return backend;
    }
}
