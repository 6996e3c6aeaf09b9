using CudaNet.Cpu;

namespace CudaNet.Cuda;

/// <summary>The backend a <see cref="Backends.Select"/> call chose, and why.</summary>
/// <param name="Backend">The backend (the caller disposes it).</param>
/// <param name="Name"><c>cuda</c> or <c>cpu</c>.</param>
/// <param name="Reason">Why the CPU was chosen when the GPU was asked for with <c>auto</c> (e.g.
/// <c>CUDA unavailable: libcuda.so.1 not found …</c>); null when the choice needed no explanation.</param>
public sealed record BackendChoice(IBackend<float> Backend, string Name, string? Reason)
{
    /// <summary>For a status line, e.g. <c>cpu (CUDA unavailable: libcuda.so.1 not found)</c> or
    /// <c>cuda (NVIDIA A100, compute capability 8.0, …)</c>.</summary>
    public override string ToString() => Backend switch
    {
        CudaBackend cuda => $"{Name} ({cuda.Context})",
        _ => Reason is null ? Name : $"{Name} ({Reason})",
    };
}

/// <summary>Creates backends by name (DESIGN.md §7): <c>auto</c>, <c>cpu</c>, <c>cpu-reference</c>, <c>cuda</c>,
/// <c>cuda:N</c>.</summary>
public static class Backends
{
    /// <summary>The names <see cref="Select"/> accepts (<c>cuda:N</c> picks device N).</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "cpu", "cpu-reference", "cuda"];

    /// <summary>Creates the backend called <paramref name="name"/>: <c>auto</c> is CUDA when a usable GPU is present,
    /// else the SIMD CPU backend.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="InvalidOperationException"><c>cuda</c> was asked for and no usable GPU is present; the
    /// message gives the reason.</exception>
    public static IBackend<float> Create(string name) => Select(name).Backend;

    /// <summary>As <see cref="Create"/>, and says which backend was chosen and why.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="InvalidOperationException"><c>cuda</c> was asked for and no usable GPU is present.</exception>
    public static BackendChoice Select(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        switch (key)
        {
            case "cpu":
                return new BackendChoice(new CpuBackend<float>(), "cpu", null);
            case "cpu-reference":
                return new BackendChoice(new CpuBackend<float>(CpuKernels.Reference), "cpu-reference", null);
            case "auto":
                return CudaBackend.TryCreate(out var gpu, out string reason)
                    ? new BackendChoice(gpu!, "cuda", null)
                    : new BackendChoice(new CpuBackend<float>(), "cpu", $"CUDA unavailable: {reason}");
        }
        if (key == "cuda") return new BackendChoice(CudaBackend.Create(), "cuda", null);
        if (key.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(key.AsSpan(5), out int device) &&
            device >= 0)
        {
            return new BackendChoice(CudaBackend.Create(device), "cuda", null);
        }
        throw new ArgumentException(
            $"Unknown backend '{name}': expected one of {string.Join(", ", Names)} or cuda:N.", nameof(name));
    }
}
