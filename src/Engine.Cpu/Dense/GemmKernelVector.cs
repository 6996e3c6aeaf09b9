using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CudaNet.Cpu.Dense;

/// <summary>The portable register tile for any <see cref="Vector{T}"/> width (Arm64 NEON, or x64 without AVX2): 4 rows × 2
/// vectors, 8 accumulators that fit 16 registers.</summary>
internal readonly struct GemmKernelVector<T> : IGemmMicroKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Rows => 4;
    public static int Columns => 2 * Vector<T>.Count;
    public static bool IsSupported => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(ref readonly T a, ref readonly T b, int depth, ref T c, int ldc, scoped in GemmWriteBack<T> writeBack)
    {
        int w = Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector<T> c20 = default, c21 = default, c30 = default, c31 = default;
        ref T ap = ref Unsafe.AsRef(in a), bp = ref Unsafe.AsRef(in b);
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector.LoadUnsafe(ref bp);
            var b1 = Vector.LoadUnsafe(ref bp, (nuint)w);
            var a0 = new Vector<T>(ap);
            c00 = Fma(a0, b0, c00);
            c01 = Fma(a0, b1, c01);
            var a1 = new Vector<T>(Unsafe.Add(ref ap, 1));
            c10 = Fma(a1, b0, c10);
            c11 = Fma(a1, b1, c11);
            var a2 = new Vector<T>(Unsafe.Add(ref ap, 2));
            c20 = Fma(a2, b0, c20);
            c21 = Fma(a2, b1, c21);
            var a3 = new Vector<T>(Unsafe.Add(ref ap, 3));
            c30 = Fma(a3, b0, c30);
            c31 = Fma(a3, b1, c31);
            ap = ref Unsafe.Add(ref ap, 4);
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunNarrow(ref readonly T a, nint rowStride, nint depthStride, ref readonly T b, int depth, ref T c, int ldc,
        scoped in GemmWriteBack<T> writeBack)
    {
        int w = Vector<T>.Count;
        Vector<T> c0 = default, c1 = default, c2 = default, c3 = default;
        ref T ap = ref Unsafe.AsRef(in a), bp = ref Unsafe.AsRef(in b);
        for (int p = 0; p < depth; p++)
        {
            var b0 = Vector.LoadUnsafe(ref bp);
            c0 = Fma(new Vector<T>(ap), b0, c0);
            c1 = Fma(new Vector<T>(Unsafe.Add(ref ap, rowStride)), b0, c1);
            c2 = Fma(new Vector<T>(Unsafe.Add(ref ap, 2 * rowStride)), b0, c2);
            c3 = Fma(new Vector<T>(Unsafe.Add(ref ap, 3 * rowStride)), b0, c3);
            ap = ref Unsafe.Add(ref ap, depthStride);
            bp = ref Unsafe.Add(ref bp, 2 * w);
        }
        writeBack.Store(ref c, c0, 0);
        writeBack.Store(ref Unsafe.Add(ref c, ldc), c1, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 2 * ldc), c2, 0);
        writeBack.Store(ref Unsafe.Add(ref c, 3 * ldc), c3, 0);
    }

    /// <summary>x·y + z, fused where the hardware has FMA (every x64 with AVX-512, and AVX2 machines in practice).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma(Vector<T> x, Vector<T> y, Vector<T> z)
    {
        if (typeof(T) == typeof(float))
            return Vector.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        return x * y + z;
    }
}
