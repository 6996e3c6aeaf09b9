using CudaNet.Cpu;
using CudaNet.Cuda;

namespace CudaNet.Cli;

/// <summary>Turns <c>--device</c> (and <c>--threads</c>) into a backend, with the one-line reason the CLI prints.</summary>
internal static class DeviceSelection
{
    /// <summary>The accepted names.</summary>
    public static IReadOnlyList<string> Names => Backends.Names;

    /// <summary>
    /// <c>auto</c> takes CUDA when a usable GPU is present, else the CPU (saying why); <c>cuda</c> without a usable
    /// GPU is a user error naming the reason; <paramref name="threads"/> bounds the CPU backend's threads.
    /// </summary>
    /// <exception cref="CliException">Unknown device, or CUDA unusable.</exception>
    public static BackendChoice Select(string device, int? threads = null)
    {
        if (threads is < 1) throw new CliException($"--threads must be >= 1, not {threads}");
        BackendChoice choice;
        try
        {
            choice = Backends.Select(device);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--device: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"--device {device}: {e.Message}");
        }
        if (threads is null || choice.Backend is not CpuBackend<float> cpu) return choice;
        var kernels = cpu.Kernels;
        cpu.Dispose();
        return choice with { Backend = new CpuBackend<float>(kernels, threads) };
    }
}
