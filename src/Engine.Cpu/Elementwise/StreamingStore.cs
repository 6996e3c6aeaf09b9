using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CudaNet.Cpu;

/// <summary>
/// Non-temporal ("streaming") stores for outputs too large to stay in cache. An ordinary store first reads the
/// destination's cache line from memory (read-for-ownership), so y = f(x) moves three bytes per byte of y instead
/// of two; a streaming store writes the line without reading it. That is what <c>memcpy</c> does above its own
/// threshold, and why a plain copy beat every op writing a large fresh output by about a third.
/// Below <see cref="ThresholdBytes"/> the output is likely to be read again from cache by the next layer, and
/// bypassing the cache would cost more than it saves, so small outputs keep ordinary stores.
/// Streaming stores are weakly ordered: every writer ends its range with <see cref="Fence"/>.
/// </summary>
internal static class StreamingStore
{
    /// <summary>Outputs from this size on are streamed: half of a typical server last-level cache (32 MiB here).</summary>
    public const long ThresholdBytes = 16L << 20;

    /// <summary>Whether writes to <paramref name="output"/> (native CPU memory) should stream.</summary>
    public static unsafe bool Worthwhile<T>(Tensor<T> output) where T : unmanaged =>
        Sse.IsSupported && (long)output.Length * sizeof(T) >= ThresholdBytes;

    /// <summary>
    /// destination[index..] = value, streamed when <paramref name="streaming"/> and the address is aligned to the
    /// vector's size (rows of odd widths fall back to ordinary stores; the bits written are the same either way).
    /// The destination must be native (unmovable) memory, as every CPU tensor is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(Vector<T> value, ref T destination, nuint index, bool streaming) where T : unmanaged
    {
        if (streaming)
        {
            byte* address = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref destination, index));
            if (((nuint)address & (nuint)(Vector<byte>.Count - 1)) == 0)
            {
                if (Vector<byte>.Count == 64 && Avx512F.IsSupported)
                {
                    Avx512F.StoreAlignedNonTemporal(address, value.AsVector512().AsByte());
                    return;
                }
                if (Vector<byte>.Count == 32 && Avx.IsSupported)
                {
                    Avx.StoreAlignedNonTemporal(address, value.AsVector256().AsByte());
                    return;
                }
                if (Vector<byte>.Count == 16 && Sse2.IsSupported)
                {
                    Sse2.StoreAlignedNonTemporal(address, value.AsVector128().AsByte());
                    return;
                }
            }
        }
        value.StoreUnsafe(ref destination, index);
    }

    /// <summary>The 512-bit form of <see cref="Store{T}(Vector{T}, ref T, nuint, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(Vector512<T> value, ref T destination, nuint index, bool streaming) where T : unmanaged
    {
        if (streaming && Avx512F.IsSupported)
        {
            byte* address = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref destination, index));
            if (((nuint)address & 63) == 0)
            {
                Avx512F.StoreAlignedNonTemporal(address, value.AsByte());
                return;
            }
        }
        value.StoreUnsafe(ref destination, index);
    }

    /// <summary>The 256-bit form of <see cref="Store{T}(Vector{T}, ref T, nuint, bool)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store<T>(Vector256<T> value, ref T destination, nuint index, bool streaming) where T : unmanaged
    {
        if (streaming && Avx.IsSupported)
        {
            byte* address = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref destination, index));
            if (((nuint)address & 31) == 0)
            {
                Avx.StoreAlignedNonTemporal(address, value.AsByte());
                return;
            }
        }
        value.StoreUnsafe(ref destination, index);
    }

    /// <summary>Orders this thread's streaming stores before anything it does next (the end of a parallel chunk).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fence(bool streaming)
    {
        if (streaming) Sse.StoreFence();
    }
}
