using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>64-byte-aligned native host memory (aligned for the widest SIMD loads), freed by a
/// <see cref="SafeHandle"/> so a forgotten <c>Dispose</c> still releases it and updates the counter.</summary>
internal sealed unsafe class NativeStorage : TensorStorage
{
    private const nuint Alignment = 64;
    private readonly Handle _handle;

    public NativeStorage(object owner, long bytes, AllocationCounter counter) : base(owner, bytes)
    {
        // Zero-byte tensors still get a real (one-byte) block so every storage has a valid address.
        void* memory = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), Alignment);
        NativeMemory.Clear(memory, (nuint)Math.Max(bytes, 1));
        _handle = new Handle((nint)memory, bytes, counter);
    }

    public void* Pointer => (void*)_handle.DangerousGetHandle();

    public override bool IsDisposed => _handle.IsClosed;

    public override void Dispose() => _handle.Dispose();

    private sealed class Handle : SafeHandle
    {
        private readonly long _bytes;
        private readonly AllocationCounter _counter;

        public Handle(nint memory, long bytes, AllocationCounter counter) : base(0, ownsHandle: true)
        {
            SetHandle(memory);
            _bytes = bytes;
            _counter = counter;
            counter.Add(bytes);
        }

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle()
        {
            NativeMemory.AlignedFree((void*)handle);
            _counter.Remove(_bytes);
            return true;
        }
    }
}
