using System.Runtime.CompilerServices;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// The packing buffer of the GEMM on the calling thread: one pinned array per thread, kept and grown on demand, so
/// a GEMM allocates nothing once warm; pinned so the packed panels can start on a 64-byte boundary (a Vector512
/// load of B never splits a cache line). The parallel workers only read it and write their own slices.
/// </summary>
internal static class GemmWorkspace<T> where T : unmanaged
{
    private const int Alignment = 64;

    [ThreadStatic] private static T[]? t_buffer;

    /// <summary>A buffer holding at least <paramref name="length"/> elements from <paramref name="offset"/>, which is
    /// 64-byte aligned.</summary>
    public static unsafe T[] Rent(long length, out int offset)
    {
        int slack = Alignment / sizeof(T);
        long needed = length + slack;
        if (needed > Array.MaxLength) throw new OutOfMemoryException($"Gemm: a packing buffer of {needed} elements is too large.");
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < needed)
        {
            // Grow by half again so a slowly growing batch does not reallocate each call.
            long grown = buffer is null ? needed : Math.Max(needed, Math.Min(Array.MaxLength, buffer.Length * 3L / 2));
            buffer = GC.AllocateUninitializedArray<T>((int)grown, pinned: true);
            t_buffer = buffer;
        }
        nint address = (nint)Unsafe.AsPointer(ref buffer[0]);
        offset = (int)((Alignment - address % Alignment) % Alignment) / sizeof(T);
        return buffer;
    }
}
