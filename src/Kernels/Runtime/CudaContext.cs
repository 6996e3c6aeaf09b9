using System.Runtime.InteropServices;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>
/// The primary context of one device (the context the CUDA runtime and every other library of the process share),
/// retained for as long as this object or any buffer allocated in it lives, and the device's properties.
/// </summary>
public sealed unsafe class CudaContext : IDisposable
{
    private CudaContext(ContextHandle handle, int device, string name, Version computeCapability, long totalMemory,
        int driverVersion, int multiprocessors)
    {
        Handle = handle;
        Device = device;
        Name = name;
        ComputeCapability = computeCapability;
        TotalMemoryBytes = totalMemory;
        DriverVersion = driverVersion;
        MultiprocessorCount = multiprocessors;
    }

    internal ContextHandle Handle { get; }

    /// <summary>The device ordinal.</summary>
    public int Device { get; }

    /// <summary>The device's marketing name, e.g. <c>NVIDIA H100 80GB HBM3</c>.</summary>
    public string Name { get; }

    /// <summary>The compute capability (major.minor), e.g. 8.0 for A100.</summary>
    public Version ComputeCapability { get; }

    /// <summary>The device memory in bytes.</summary>
    public long TotalMemoryBytes { get; }

    /// <summary>The CUDA version the driver supports as <c>cuDriverGetVersion</c> reports it (1000·major + 10·minor).</summary>
    public int DriverVersion { get; }

    /// <summary>The driver's CUDA version as text, e.g. <c>12.4</c>.</summary>
    public string DriverVersionText => $"{DriverVersion / 1000}.{DriverVersion % 1000 / 10}";

    /// <summary>The number of streaming multiprocessors.</summary>
    public int MultiprocessorCount { get; }

    /// <summary>Retains the primary context of <paramref name="device"/> and reads its properties. The driver must
    /// be loaded and initialised (<c>cuInit</c>).</summary>
    internal static CudaContext Open(int device)
    {
        int ordinal, driverVersion, major, minor, multiprocessors;
        nuint totalMemory;
        byte* name = stackalloc byte[256];
        ThrowIfFailed(cuDeviceGet(&ordinal, device), nameof(cuDeviceGet));
        ThrowIfFailed(cuDriverGetVersion(&driverVersion), nameof(cuDriverGetVersion));
        ThrowIfFailed(cuDeviceGetName(name, 256, ordinal), nameof(cuDeviceGetName));
        ThrowIfFailed(cuDeviceGetAttribute(&major, DeviceAttribute.ComputeCapabilityMajor, ordinal), nameof(cuDeviceGetAttribute));
        ThrowIfFailed(cuDeviceGetAttribute(&minor, DeviceAttribute.ComputeCapabilityMinor, ordinal), nameof(cuDeviceGetAttribute));
        ThrowIfFailed(cuDeviceGetAttribute(&multiprocessors, DeviceAttribute.MultiprocessorCount, ordinal),
            nameof(cuDeviceGetAttribute));
        ThrowIfFailed(cuDeviceTotalMem_v2(&totalMemory, ordinal), nameof(cuDeviceTotalMem_v2));
        nint context;
        ThrowIfFailed(cuDevicePrimaryCtxRetain(&context, ordinal), nameof(cuDevicePrimaryCtxRetain));
        var handle = new ContextHandle(context, ordinal);
        return new CudaContext(handle, ordinal, Marshal.PtrToStringUTF8((nint)name) ?? $"device {ordinal}",
            new Version(major, minor), (long)totalMemory, driverVersion, multiprocessors);
    }

    /// <summary>A device attribute (<c>cuDeviceGetAttribute</c>); 0 where the driver no longer reports it.</summary>
    internal int Attribute(DeviceAttribute attribute)
    {
        int value;
        return cuDeviceGetAttribute(&value, attribute, Device) == CudaResult.Success ? value : 0;
    }

    /// <summary>Makes the context current on the calling thread (every thread that calls the driver needs it).</summary>
    internal void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(Handle.IsClosed, this);
        ThrowIfFailed(cuCtxSetCurrent(Handle.DangerousGetHandle()), nameof(cuCtxSetCurrent));
    }

    /// <summary>Gives up this object's reference; the primary context is released once every buffer allocated in
    /// it has been freed too.</summary>
    public void Dispose() => Handle.Dispose();

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} (compute capability {ComputeCapability}, {TotalMemoryBytes / (1024 * 1024)} MiB, " +
        $"{MultiprocessorCount} SMs, driver CUDA {DriverVersionText})";

    /// <summary>The retained primary context; buffers add a reference (<see cref="SafeHandle.DangerousAddRef"/>),
    /// so it is released only after the last of them.</summary>
    internal sealed class ContextHandle : SafeHandle
    {
        private readonly int _device;

        public ContextHandle(nint context, int device) : base(0, ownsHandle: true)
        {
            SetHandle(context);
            _device = device;
        }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle() => cuDevicePrimaryCtxRelease_v2(_device) == CudaResult.Success;
    }
}
