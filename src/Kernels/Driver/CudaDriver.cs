using System.Reflection;
using System.Runtime.InteropServices;

namespace CudaNet.Cuda;

/// <summary>
/// The CUDA driver API entry points CudaNet uses (signatures of <c>cuda.h</c>; the <c>_v2</c> names are the ones
/// <c>cuda.h</c> maps the plain names onto). The driver library (<c>libcuda.so.1</c> on Linux, <c>nvcuda.dll</c>
/// on Windows) is bound at run time: call <see cref="TryLoad"/> first, so that a machine without the driver gets a
/// reason instead of a <see cref="DllNotFoundException"/> at the first call.
/// </summary>
/// <remarks>Handles (<c>CUcontext</c>, <c>CUmodule</c>, <c>CUfunction</c>, <c>CUstream</c>, <c>CUevent</c>,
/// <c>CUgraph</c>, <c>CUgraphExec</c>) are <see cref="nint"/>; <c>CUdeviceptr</c> is 64-bit (<see cref="ulong"/>);
/// <c>CUdevice</c> is an <see cref="int"/> ordinal.</remarks>
internal static unsafe partial class CudaDriver
{
    private const string Library = "cuda";
    private static readonly Lock LoadLock = new();
    private static nint _handle;
    private static string? _failure;

    static CudaDriver() => NativeLibrary.SetDllImportResolver(typeof(CudaDriver).Assembly, Resolve);

    /// <summary>The file name of the driver library on this operating system.</summary>
    public static string LibraryFileName => OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";

    /// <summary>Loads the driver library once; false with the reason when it is not installed.</summary>
    public static bool TryLoad(out string reason)
    {
        lock (LoadLock)
        {
            if (_handle == 0 && _failure is null)
            {
                if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
                    _failure = $"the CUDA driver is not available on {RuntimeInformation.OSDescription}";
                else if (!NativeLibrary.TryLoad(LibraryFileName, out _handle))
                    _failure = $"{LibraryFileName} not found (no NVIDIA driver installed)";
            }
            reason = _failure ?? "";
            return _handle != 0;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library && TryLoad(out _) ? _handle : 0;

    /// <summary>Throws <see cref="CudaException"/> naming <paramref name="call"/>, the error name and the driver's
    /// description unless <paramref name="result"/> is success.</summary>
    public static void ThrowIfFailed(CudaResult result, string call)
    {
        if (result != CudaResult.Success) throw Failure(result, call);
    }

    /// <summary>The exception for a failed call, with the driver's name and description of the error.</summary>
    public static CudaException Failure(CudaResult result, string call, string? detail = null) =>
        new(call, result, ErrorName(result), ErrorString(result), detail);

    /// <summary>The driver's name of a result (<c>cuGetErrorName</c>), or <see cref="CudaException.NameOf"/>.</summary>
    public static string ErrorName(CudaResult result)
    {
        byte* text = null;
        return TryLoad(out _) && cuGetErrorName(result, &text) == CudaResult.Success && text != null
            ? Marshal.PtrToStringUTF8((nint)text) ?? CudaException.NameOf(result)
            : CudaException.NameOf(result);
    }

    /// <summary>The driver's description of a result (<c>cuGetErrorString</c>), or a fallback.</summary>
    public static string ErrorString(CudaResult result)
    {
        byte* text = null;
        return TryLoad(out _) && cuGetErrorString(result, &text) == CudaResult.Success && text != null
            ? Marshal.PtrToStringUTF8((nint)text) ?? "no description"
            : $"CUresult {(int)result}";
    }

    // ---- initialisation and devices -----------------------------------------------------------------------

    [LibraryImport(Library)] public static partial CudaResult cuInit(uint flags);
    [LibraryImport(Library)] public static partial CudaResult cuDriverGetVersion(int* version);
    [LibraryImport(Library)] public static partial CudaResult cuDeviceGetCount(int* count);
    [LibraryImport(Library)] public static partial CudaResult cuDeviceGet(int* device, int ordinal);
    [LibraryImport(Library)] public static partial CudaResult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Library)] public static partial CudaResult cuDeviceGetAttribute(int* value, DeviceAttribute attribute, int device);
    [LibraryImport(Library)] public static partial CudaResult cuDeviceTotalMem_v2(nuint* bytes, int device);

    // ---- primary context ----------------------------------------------------------------------------------

    [LibraryImport(Library)] public static partial CudaResult cuDevicePrimaryCtxRetain(nint* context, int device);
    [LibraryImport(Library)] public static partial CudaResult cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(Library)] public static partial CudaResult cuCtxSetCurrent(nint context);
    [LibraryImport(Library)] public static partial CudaResult cuCtxGetCurrent(nint* context);

    // ---- modules and launches -----------------------------------------------------------------------------

    [LibraryImport(Library)]
    public static partial CudaResult cuModuleLoadDataEx(nint* module, byte* image, uint optionCount, JitOption* options,
        void** optionValues);
    [LibraryImport(Library)] public static partial CudaResult cuModuleUnload(nint module);
    [LibraryImport(Library)] public static partial CudaResult cuModuleGetFunction(nint* function, nint module, byte* name);

    [LibraryImport(Library)]
    public static partial CudaResult cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX,
        uint blockY, uint blockZ, uint sharedMemoryBytes, nint stream, void** parameters, void** extra);

    // ---- memory -------------------------------------------------------------------------------------------

    [LibraryImport(Library)] public static partial CudaResult cuMemAlloc_v2(ulong* pointer, nuint bytes);
    [LibraryImport(Library)] public static partial CudaResult cuMemFree_v2(ulong pointer);
    [LibraryImport(Library)] public static partial CudaResult cuMemcpyHtoD_v2(ulong destination, void* source, nuint bytes);
    [LibraryImport(Library)] public static partial CudaResult cuMemcpyDtoH_v2(void* destination, ulong source, nuint bytes);
    [LibraryImport(Library)]
    public static partial CudaResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(Library)]
    public static partial CudaResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Library)]
    public static partial CudaResult cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Library)] public static partial CudaResult cuMemsetD8_v2(ulong destination, byte value, nuint count);
    [LibraryImport(Library)] public static partial CudaResult cuMemsetD32_v2(ulong destination, uint value, nuint count);
    [LibraryImport(Library)]
    public static partial CudaResult cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);
    [LibraryImport(Library)]
    public static partial CudaResult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

    // ---- streams and events -------------------------------------------------------------------------------

    [LibraryImport(Library)] public static partial CudaResult cuStreamCreate(nint* stream, uint flags);
    [LibraryImport(Library)] public static partial CudaResult cuStreamDestroy_v2(nint stream);
    [LibraryImport(Library)] public static partial CudaResult cuStreamSynchronize(nint stream);
    [LibraryImport(Library)] public static partial CudaResult cuEventCreate(nint* evt, uint flags);
    [LibraryImport(Library)] public static partial CudaResult cuEventDestroy_v2(nint evt);
    [LibraryImport(Library)] public static partial CudaResult cuEventRecord(nint evt, nint stream);
    [LibraryImport(Library)] public static partial CudaResult cuEventSynchronize(nint evt);
    [LibraryImport(Library)] public static partial CudaResult cuEventElapsedTime(float* milliseconds, nint start, nint end);

    // ---- stream capture and graphs ------------------------------------------------------------------------

    [LibraryImport(Library)] public static partial CudaResult cuStreamBeginCapture_v2(nint stream, StreamCaptureMode mode);
    [LibraryImport(Library)] public static partial CudaResult cuStreamEndCapture(nint stream, nint* graph);
    [LibraryImport(Library)]
    public static partial CudaResult cuGraphInstantiateWithFlags(nint* graphExec, nint graph, ulong flags);
    [LibraryImport(Library)] public static partial CudaResult cuGraphLaunch(nint graphExec, nint stream);
    [LibraryImport(Library)] public static partial CudaResult cuGraphExecDestroy(nint graphExec);
    [LibraryImport(Library)] public static partial CudaResult cuGraphDestroy(nint graph);
    [LibraryImport(Library)]
    public static partial CudaResult cuStreamGetCaptureInfo_v2(nint stream, int* status, ulong* id, nint* graph,
        nint** dependencies, nuint* dependencyCount);
    // The CUDA 11 entry point with the CUDA_KERNEL_NODE_PARAMS_v1 layout, which drivers of 11.x and 12.x export.
    [LibraryImport(Library)]
    public static partial CudaResult cuGraphExecKernelNodeSetParams(nint graphExec, nint node, KernelNodeParams* parameters);

    // ---- errors -------------------------------------------------------------------------------------------

    [LibraryImport(Library)] public static partial CudaResult cuGetErrorName(CudaResult error, byte** name);
    [LibraryImport(Library)] public static partial CudaResult cuGetErrorString(CudaResult error, byte** description);

    /// <summary>The <c>CUdevice_attribute</c> values used.</summary>
    public enum DeviceAttribute
    {
        MaxThreadsPerBlock = 1,
        MultiprocessorCount = 16,
        MemoryClockRateKHz = 36,
        GlobalMemoryBusWidthBits = 37,
        L2CacheSizeBytes = 38,
        ComputeCapabilityMajor = 75,
        ComputeCapabilityMinor = 76,
    }

    /// <summary>The <c>CUjit_option</c> values used (a size option's value is the number itself, cast to a pointer).</summary>
    public enum JitOption
    {
        InfoLogBuffer = 3,
        InfoLogBufferSizeBytes = 4,
        ErrorLogBuffer = 5,
        ErrorLogBufferSizeBytes = 6,
    }

    /// <summary><c>CUstreamCaptureMode</c>.</summary>
    public enum StreamCaptureMode
    {
        Global = 0,
        ThreadLocal = 1,
        Relaxed = 2,
    }

    /// <summary><c>CUDA_KERNEL_NODE_PARAMS_v1</c>: a kernel node's function, geometry and argument pointers.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KernelNodeParams
    {
        public nint Function;
        public uint GridX, GridY, GridZ, BlockX, BlockY, BlockZ, SharedMemoryBytes;
        public void** Parameters;
        public void** Extra;
    }

    /// <summary><c>CU_STREAM_NON_BLOCKING</c>: the stream does not synchronise with the legacy default stream.</summary>
    public const uint StreamNonBlocking = 1;

    /// <summary><c>CU_EVENT_DEFAULT</c>: an event that records timing.</summary>
    public const uint EventDefault = 0;
}
