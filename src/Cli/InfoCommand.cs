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
            Console.WriteLine("CUDA backend not built yet: the CUDA backend lands with the CUDA issue; kernels.cu and its PTX are in the repository.");
            return 0;
        });
        return command;
    }
}
