using System.Text;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>
/// The embedded PTX module for one device, JIT-compiled by the driver when loaded, with its kernel handles looked
/// up on first use and cached. Disposing twice is harmless.
/// </summary>
internal sealed unsafe class CudaModule : IDisposable
{
    private const int LogBytes = 16 * 1024;
    private readonly CudaContext _context;
    private readonly nint[] _functions = new nint[KernelNames.All.Count];
    private readonly byte[]?[] _parameterSizes = new byte[KernelNames.All.Count][];
    private readonly string _ptx;
    private nint _module;

    private CudaModule(CudaContext context, nint module, string architecture, string ptx)
    {
        _context = context;
        _module = module;
        Architecture = architecture;
        _ptx = ptx;
    }

    /// <summary>The target every op runs on.</summary>
    public const string Baseline = "sm_75";

    /// <summary>The PTX target loaded: <c>sm_80</c> or <c>sm_75</c>.</summary>
    public string Architecture { get; }

    /// <summary>The best embedded target for a compute capability: sm_80 (tensor-core kernels) from 8.0 on, else
    /// sm_75; null below 7.5, which no module supports.</summary>
    public static string? ArchitectureFor(Version computeCapability) =>
        computeCapability >= new Version(8, 0) ? "sm_80" : computeCapability >= new Version(7, 5) ? "sm_75" : null;

    /// <summary>Loads the module of <paramref name="architecture"/>; a JIT failure throws a <see cref="CudaException"/>
    /// whose message carries the JIT error log.</summary>
    public static CudaModule Load(CudaContext context, string architecture)
    {
        string text = PtxModules.Load(architecture);
        byte[] image = Encoding.UTF8.GetBytes(text + "\0");
        byte* errorLog = stackalloc byte[LogBytes];
        errorLog[0] = 0;
        var options = stackalloc JitOption[] { JitOption.ErrorLogBuffer, JitOption.ErrorLogBufferSizeBytes };
        var values = stackalloc void*[] { errorLog, (void*)LogBytes };
        context.MakeCurrent();
        nint module;
        CudaResult result;
        fixed (byte* ptx = image) result = cuModuleLoadDataEx(&module, ptx, 2, options, values);
        if (result != CudaResult.Success)
        {
            string log = new string((sbyte*)errorLog).Trim();
            throw Failure(result, nameof(cuModuleLoadDataEx),
                $"JIT of the embedded {architecture} PTX: " + (log.Length > 0 ? log : "(the JIT log is empty)"));
        }
        return new CudaModule(context, module, architecture, text);
    }

    /// <summary>The handle of <paramref name="kernel"/> (looked up once).</summary>
    public nint Function(Kernel kernel)
    {
        nint function = _functions[(int)kernel];
        if (function != 0) return function;
        ObjectDisposedException.ThrowIf(_module == 0, this);
        byte[] name = Encoding.ASCII.GetBytes(KernelNames.Of(kernel) + "\0");
        fixed (byte* text = name) ThrowIfFailed(cuModuleGetFunction(&function, _module, text), nameof(cuModuleGetFunction));
        _functions[(int)kernel] = function;
        return function;
    }

    /// <summary>The byte size of each parameter of <paramref name="kernel"/>, from its PTX declaration (parsed once):
    /// how much of each argument a recorded launch keeps.</summary>
    public byte[] ParameterSizes(Kernel kernel) =>
        _parameterSizes[(int)kernel] ??= PtxModules.ParseParameterSizes(_ptx, KernelNames.Of(kernel));

    /// <summary>Unloads the module (queued kernels must have finished: the backend synchronises first).</summary>
    public void Dispose()
    {
        if (_module == 0) return;
        _context.MakeCurrent();
        cuModuleUnload(_module);
        _module = 0;
        Array.Clear(_functions);
    }
}
