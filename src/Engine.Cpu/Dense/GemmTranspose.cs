using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// The 8×8 float transpose that packs a lane-major GEMM operand (A not transposed, B transposed): 8 row loads,
/// 24 in-register shuffles, 8 row stores per 64 elements, against 64 dependent scalar loads and stores.
/// </summary>
internal static class GemmTranspose
{
    public static bool IsSupported => Avx.IsSupported;

    /// <summary>destination[i·destinationStride + j] = source[j·sourceStride + i] for i, j in [0, 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8x8(ref float source, nint sourceStride, ref float destination, nint destinationStride)
    {
        // Rows a..h; after the unpacks t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7, and so on.
        var a = Vector256.LoadUnsafe(ref source);
        var b = Vector256.LoadUnsafe(ref source, (nuint)sourceStride);
        var c = Vector256.LoadUnsafe(ref source, (nuint)(2 * sourceStride));
        var d = Vector256.LoadUnsafe(ref source, (nuint)(3 * sourceStride));
        var e = Vector256.LoadUnsafe(ref source, (nuint)(4 * sourceStride));
        var f = Vector256.LoadUnsafe(ref source, (nuint)(5 * sourceStride));
        var g = Vector256.LoadUnsafe(ref source, (nuint)(6 * sourceStride));
        var h = Vector256.LoadUnsafe(ref source, (nuint)(7 * sourceStride));
        var t0 = Avx.UnpackLow(a, b);
        var t1 = Avx.UnpackHigh(a, b);
        var t2 = Avx.UnpackLow(c, d);
        var t3 = Avx.UnpackHigh(c, d);
        var t4 = Avx.UnpackLow(e, f);
        var t5 = Avx.UnpackHigh(e, f);
        var t6 = Avx.UnpackLow(g, h);
        var t7 = Avx.UnpackHigh(g, h);
        // s0 = a0 b0 c0 d0 | a4 b4 c4 d4, s1 = column 1 | column 5, … ; s4..s7 the same for rows e..h.
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref destination);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref destination, (nuint)destinationStride);
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref destination, (nuint)(2 * destinationStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref destination, (nuint)(3 * destinationStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref destination, (nuint)(4 * destinationStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref destination, (nuint)(5 * destinationStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref destination, (nuint)(6 * destinationStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref destination, (nuint)(7 * destinationStride));
    }
}
