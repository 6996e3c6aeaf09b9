using CudaNet.Cpu;

namespace CudaNet.Cli;

/// <summary>The float32 backends the command-line tool can run on, by the name given to <c>--device</c>.</summary>
internal static class Backends
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static readonly string[] Names = ["cpu", "cpu-reference", "cuda"];

    /// <summary>Creates the backend called <paramref name="name"/>.</summary>
    /// <exception cref="BackendUnavailableException">The backend exists but not in this build or on this machine.</exception>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static IBackend<float> Create(string name) => name switch
    {
        "cpu" => new CpuBackend<float>(),
        "cpu-reference" => new CpuBackend<float>(CpuKernels.Reference),
        "cuda" => throw new BackendUnavailableException("cuda: the CUDA backend is not available in this build"),
        _ => throw new ArgumentException($"Unknown device '{name}' (expected one of {string.Join(", ", Names)}).", nameof(name)),
    };
}

/// <summary>A known backend that cannot run here; the message is the one line the CLI prints.</summary>
internal sealed class BackendUnavailableException(string message) : Exception(message);
