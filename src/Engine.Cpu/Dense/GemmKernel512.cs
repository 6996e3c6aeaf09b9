using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CudaNet.Cpu.Dense;

/// <summary>The AVX-512 register tile: 8 rows × 2 Vector512 (8×32 floats, 8×16 doubles) in 16 of the 32 zmm accumulators;
/// per k, 2 B loads and 8 broadcasts feed 16 FMAs, so the two 512-bit FMA pipes, not the loads, set the pace.</summary>
internal readonly struct GemmKernel512<T> : IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Rows => 8;
    public static int Columns => 2 * Vector512<T>.Count;
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ref readonly T a, ref readonly T b, int depth, ref T c, int ldc, scoped in GemmWriteBack<T> writeBack)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        ref T ap = ref Unsafe.AsRef(in a), bp = ref Unsafe.AsRef(in b);
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref bp);
            var b1 = Vector512.LoadUnsafe(ref bp, (nuint)w);
            var a0 = Vector512.Create(ap);
            c00 = Fma(a0, b0, c00);
            c01 = Fma(a0, b1, c01);
            var a1 = Vector512.Create(Unsafe.Add(ref ap, 1));
            c10 = Fma(a1, b0, c10);
            c11 = Fma(a1, b1, c11);
            var a2 = Vector512.Create(Unsafe.Add(ref ap, 2));
            c20 = Fma(a2, b0, c20);
            c21 = Fma(a2, b1, c21);
            var a3 = Vector512.Create(Unsafe.Add(ref ap, 3));
            c30 = Fma(a3, b0, c30);
            c31 = Fma(a3, b1, c31);
            var a4 = Vector512.Create(Unsafe.Add(ref ap, 4));
            c40 = Fma(a4, b0, c40);
            c41 = Fma(a4, b1, c41);
            var a5 = Vector512.Create(Unsafe.Add(ref ap, 5));
            c50 = Fma(a5, b0, c50);
            c51 = Fma(a5, b1, c51);
            var a6 = Vector512.Create(Unsafe.Add(ref ap, 6));
            c60 = Fma(a6, b0, c60);
            c61 = Fma(a6, b1, c61);
            var a7 = Vector512.Create(Unsafe.Add(ref ap, 7));
            c70 = Fma(a7, b0, c70);
            c71 = Fma(a7, b1, c71);
            ap = ref Unsafe.Add(ref ap, 8);
            bp = ref Unsafe.Add(ref bp, 2 * w);
        }
        writeBack.Store(ref c, c00, 0);
        writeBack.Store(ref Unsafe.Add(ref c, w), c01, w);
        writeBack.Store(ref Unsafe.Add(ref c, ldc), c10, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, ldc), w), c11, w);
        writeBack.Store(ref Unsafe.Add(ref c, 2 * ldc), c20, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, 2 * ldc), w), c21, w);
        writeBack.Store(ref Unsafe.Add(ref c, 3 * ldc), c30, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, 3 * ldc), w), c31, w);
        writeBack.Store(ref Unsafe.Add(ref c, 4 * ldc), c40, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, 4 * ldc), w), c41, w);
        writeBack.Store(ref Unsafe.Add(ref c, 5 * ldc), c50, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, 5 * ldc), w), c51, w);
        writeBack.Store(ref Unsafe.Add(ref c, 6 * ldc), c60, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, 6 * ldc), w), c61, w);
        writeBack.Store(ref Unsafe.Add(ref c, 7 * ldc), c70, 0);
        writeBack.Store(ref Unsafe.Add(ref Unsafe.Add(ref c, 7 * ldc), w), c71, w);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunNarrow(ref readonly T a, nint rowStride, nint depthStride, ref readonly T b, int depth, ref T c, int ldc,
        scoped in GemmWriteBack<T> writeBack)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<T> c4 = default, c5 = default, c6 = default, c7 = default;
        ref T ap = ref Unsafe.AsRef(in a), bp = ref Unsafe.AsRef(in b);
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector512.LoadUnsafe(ref bp);
            c0 = Fma(Vector512.Create(ap), b0, c0);
            c1 = Fma(Vector512.Create(Unsafe.Add(ref ap, rowStride)), b0, c1);
            c2 = Fma(Vector512.Create(Unsafe.Add(ref ap, 2 * rowStride)), b0, c2);
            c3 = Fma(Vector512.Create(Unsafe.Add(ref ap, 3 * rowStride)), b0, c3);
            c4 = Fma(Vector512.Create(Unsafe.Add(ref ap, 4 * rowStride)), b0, c4);
            c5 = Fma(Vector512.Create(Unsafe.Add(ref ap, 5 * rowStride)), b0, c5);
            c6 = Fma(Vector512.Create(Unsafe.Add(ref ap, 6 * rowStride)), b0, c6);
            c7 = Fma(Vector512.Create(Unsafe.Add(ref ap, 7 * rowStride)), b0, c7);
            ap = ref Unsafe.Add(ref ap, depthStride);
            bp = ref Unsafe.Add(ref bp, 2 * w);
        }
        writeBack.Store(ref c, c0, 0);
        writeBack.Store(ref Unsafe.Add(ref c, ldc), c1, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 2 * ldc), c2, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 3 * ldc), c3, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 4 * ldc), c4, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 5 * ldc), c5, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 6 * ldc), c6, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 7 * ldc), c7, 0);
    }

    /// <summary>x·y + z, fused where the hardware has FMA (every x64 with AVX-512, and AVX2 machines in practice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(float))
            return Vector512.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        return x * y + z;
    }
}
