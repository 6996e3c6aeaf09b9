using BenchmarkDotNet.Attributes;
using CudaNet.Cuda;

namespace CudaNet.Bench.Families;

/// <summary>
/// Runs a family's benchmarks on every backend this machine has, side by side in one table: <c>cpu</c> always,
/// <c>cuda</c> when a usable GPU is present, so the suites still run (CPU only) where there is none. Tensors made
/// through <see cref="Random"/> and <see cref="Zeros"/> are disposed with the backend after the case.
/// </summary>
public abstract class DeviceBenchmark
{
    // Probed once per process: each probe creates and destroys a CUDA context, which costs far more than a case's setup.
    private static readonly Lazy<string[]> Available = new(() =>
    {
        if (!CudaBackend.TryCreate(out var probe, out _)) return ["cpu"];
        probe!.Dispose();
        return ["cpu", "cuda"];
    });

    private readonly List<IDisposable> _owned = [];

    /// <summary>The backend names <see cref="Device"/> takes on this machine.</summary>
    public static IEnumerable<string> Devices() => Available.Value;

    /// <summary>The backend this case runs on (<see cref="Backends.Create"/>'s name).</summary>
    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>The backend of <see cref="Device"/>, live between setup and cleanup.</summary>
    protected IBackend<float> Backend { get; private set; } = null!;

    /// <summary>Creates the backend, then the family's inputs.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        Backend = Backends.Create(Device);
        Setup();
        Backend.Synchronize();
    }

    /// <summary>Frees what <see cref="Setup"/> made, then the backend.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        foreach (var owned in Enumerable.Reverse(_owned)) owned.Dispose();
        _owned.Clear();
        Backend.Dispose();
    }

    /// <summary>Allocates the family's inputs on <see cref="Backend"/>.</summary>
    protected abstract void Setup();

    /// <summary>A tensor of uniform values in [-1, 1) from <paramref name="seed"/>.</summary>
    protected Tensor<float> Random(ulong seed, params int[] shape) =>
        Own(Backend.FromArray(Data.Uniform(seed, shape.Aggregate(1, (n, d) => n * d)), shape));

    /// <summary>A zero-filled tensor.</summary>
    protected Tensor<float> Zeros(params int[] shape) => Own(Backend.Allocate<float>(shape));

    /// <summary>Disposes <paramref name="resource"/> at cleanup, before the backend.</summary>
    protected TResource Own<TResource>(TResource resource) where TResource : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }
}
