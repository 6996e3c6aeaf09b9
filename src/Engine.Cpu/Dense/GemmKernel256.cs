using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CudaNet.Cpu.Dense;

/// <summary>The AVX2 register tile: 6 rows × 2 Vector256 (6×16 floats) — 12 accumulators + 2 B vectors + 1 broadcast fill the
/// 16 ymm registers; 12 FMAs per 8 loads per k.</summary>
internal readonly struct GemmKernel256<T> : IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Rows => 6;
    public static int Columns => 2 * Vector256<T>.Count;
    public static bool IsSupported => Vector256.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ref readonly T a, ref readonly T b, int depth, ref T c, int ldc, scoped in GemmWriteBack<T> writeBack)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        ref T ap = ref Unsafe.AsRef(in a), bp = ref Unsafe.AsRef(in b);
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref bp);
            var b1 = Vector256.LoadUnsafe(ref bp, (nuint)w);
            var a0 = Vector256.Create(ap);
            c00 = Fma(a0, b0, c00);
            c01 = Fma(a0, b1, c01);
            var a1 = Vector256.Create(Unsafe.Add(ref ap, 1));
            c10 = Fma(a1, b0, c10);
            c11 = Fma(a1, b1, c11);
            var a2 = Vector256.Create(Unsafe.Add(ref ap, 2));
            c20 = Fma(a2, b0, c20);
            c21 = Fma(a2, b1, c21);
            var a3 = Vector256.Create(Unsafe.Add(ref ap, 3));
            c30 = Fma(a3, b0, c30);
            c31 = Fma(a3, b1, c31);
            var a4 = Vector256.Create(Unsafe.Add(ref ap, 4));
            c40 = Fma(a4, b0, c40);
            c41 = Fma(a4, b1, c41);
            var a5 = Vector256.Create(Unsafe.Add(ref ap, 5));
            c50 = Fma(a5, b0, c50);
            c51 = Fma(a5, b1, c51);
            ap = ref Unsafe.Add(ref ap, 6);
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunNarrow(ref readonly T a, nint rowStride, nint depthStride, ref readonly T b, int depth, ref T c, int ldc,
        scoped in GemmWriteBack<T> writeBack)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector256<T> c4 = default, c5 = default;
        ref T ap = ref Unsafe.AsRef(in a), bp = ref Unsafe.AsRef(in b);
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref bp);
            c0 = Fma(Vector256.Create(ap), b0, c0);
            c1 = Fma(Vector256.Create(Unsafe.Add(ref ap, rowStride)), b0, c1);
            c2 = Fma(Vector256.Create(Unsafe.Add(ref ap, 2 * rowStride)), b0, c2);
            c3 = Fma(Vector256.Create(Unsafe.Add(ref ap, 3 * rowStride)), b0, c3);
            c4 = Fma(Vector256.Create(Unsafe.Add(ref ap, 4 * rowStride)), b0, c4);
            c5 = Fma(Vector256.Create(Unsafe.Add(ref ap, 5 * rowStride)), b0, c5);
            ap = ref Unsafe.Add(ref ap, depthStride);
            bp = ref Unsafe.Add(ref bp, 2 * w);
        }
        writeBack.Store(ref c, c0, 0);
        writeBack.Store(ref Unsafe.Add(ref c, ldc), c1, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 2 * ldc), c2, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 3 * ldc), c3, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 4 * ldc), c4, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 5 * ldc), c5, 0);
    }

    /// <summary>x·y + z, fused where the hardware has FMA (every x64 with AVX-512, and AVX2 machines in practice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(float))
            return Vector256.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        return x * y + z;
    }
}
