using System.CommandLine;
using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cli;

/// <summary><c>cudanet info</c>: what this machine offers CudaNet.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the available backends and this machine's capabilities.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"CudaNet {typeof(IBackend<>).Assembly.GetName().Version?.ToString(3)}");
            Console.WriteLine($"Runtime      .NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
            Console.WriteLine($"CPU backend  available: {Environment.ProcessorCount} logical cores, " +
                              $"Vector<float> {Vector<float>.Count} lanes ({Vector<byte>.Count * 8}-bit), " +
                              $"hardware acceleration {(Vector.IsHardwareAccelerated ? "on" : "off")}");
            if (CudaNet.Cuda.CudaBackend.TryCreate(out var gpu, out string reason))
            {
                using (gpu)
                {
                    var c = gpu!.Context;
                    Console.WriteLine($"CUDA backend available: device {c.Device} {c.Name}, compute capability {c.ComputeCapability}, " +
                                      $"{c.MultiprocessorCount} SMs, {c.TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, driver {c.DriverVersionText}, " +
                                      $"PTX {gpu.Architecture}");
                    if (gpu.ArchitectureFallback is { } fallback) Console.WriteLine($"             note: {fallback}");
                }
            }
            else
            {
                Console.WriteLine($"CUDA backend unavailable: {reason}");
            }
            Console.WriteLine($"--device auto uses: {(reason.Length == 0 ? "cuda" : "cpu")}");
            return 0;
        });
        return command;
    }
}
