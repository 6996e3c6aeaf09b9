using System.Runtime.InteropServices;
using static CudaNet.Cuda.CudaDriver;

namespace CudaNet.Cuda;

/// <summary>
/// Device memory (<c>cuMemAlloc</c>, 256-byte aligned) in a <see cref="SafeHandle"/>: a forgotten <c>Dispose</c>
/// still frees it on the finalizer thread, with its context made current there first, and updates the counter.
/// The buffer holds a reference on its context, so the context outlives it. Disposing twice is harmless.
/// </summary>
internal sealed unsafe class DeviceMemory : TensorStorage
{
    private readonly Handle _handle;

    public DeviceMemory(object owner, CudaContext context, long bytes, AllocationCounter? counter) : base(owner, bytes)
    {
        context.MakeCurrent();
        ulong pointer;
        // Zero-byte tensors still get a real block so every storage has a valid address.
        ThrowIfFailed(cuMemAlloc_v2(&pointer, (nuint)Math.Max(bytes, 4)), nameof(cuMemAlloc_v2));
        _handle = new Handle(pointer, bytes, context.Handle, counter);
    }

    /// <summary>The device address (<c>CUdeviceptr</c>).</summary>
    public ulong Pointer => (ulong)_handle.DangerousGetHandle();

    public override bool IsDisposed => _handle.IsClosed;

    public override void Dispose() => _handle.Dispose();

    private sealed class Handle : SafeHandle
    {
        private readonly long _bytes;
        private readonly CudaContext.ContextHandle _context;
        private readonly AllocationCounter? _counter;

        public Handle(ulong pointer, long bytes, CudaContext.ContextHandle context, AllocationCounter? counter)
            : base(0, ownsHandle: true)
        {
            bool added = false;
            context.DangerousAddRef(ref added);
            SetHandle((nint)pointer);
            _bytes = bytes;
            _context = context;
            _counter = counter;
            counter?.Add(bytes);
        }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            // The finalizer thread has no current context; after a sticky error the free fails, and the memory goes
            // with the context when the process ends, so the result is not checked.
            cuCtxSetCurrent(_context.DangerousGetHandle());
            bool freed = cuMemFree_v2((ulong)handle) == CudaResult.Success;
            _counter?.Remove(_bytes);
            _context.DangerousRelease();
            return freed;
        }
    }
}
