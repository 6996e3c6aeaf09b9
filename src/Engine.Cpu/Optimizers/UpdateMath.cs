using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu;

/// <summary>
/// Pieces every fused optimizer kernel shares: the gradient penalties, fused multiply-add, vector loads/stores and
/// the split into parallel chunks.
/// </summary>
/// <remarks>
/// PyTorch 1.13's CPU kernels round <c>a.add_(b, alpha=s)</c> (<c>a + s·b</c>) and
/// <c>a.addcmul_(b, c, value=s)</c> (<c>a + (s·b)·c</c>) once, as a fused multiply-add, while
/// <c>a.addcdiv_(b, c, value=s)</c> is <c>a + (s·b)/c</c> with three roundings. The kernels write those same
/// operations with <see cref="Fma(T, T, T)"/> where PyTorch fuses and plain operators elsewhere, so the scalar
/// reference, the SIMD kernels and PyTorch agree to the last bit on the same inputs (and a CUDA kernel, where the
/// compiler contracts <c>a + s·b</c> anyway, can do the same).
/// </remarks>
internal static class UpdateMath<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per parallel chunk: an update streams 3 to 6 arrays once, so smaller chunks cost more in
    /// hand-off than they save.</summary>
    public const int Grain = 1 << 15;

    /// <summary>Whether a range of <paramref name="length"/> elements is worth splitting over threads.</summary>
    public static bool Splits(CpuBackend<T> backend, int length) => backend.MaxThreads > 1 && length / Grain > 1;

    /// <summary><c>a·b + c</c> rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Fma(T a, T b, T c) => T.FusedMultiplyAdd(a, b, c);

    /// <summary><c>a·b + c</c> rounded once per element, like <see cref="Fma(T, T, T)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        throw new NotSupportedException($"Element type {typeof(T)} is not supported.");
    }

    /// <summary>The gradient the update uses: <c>g' = f·g + L1·sign(w) + L2·w</c> (sign(0) = 0), with
    /// <c>+ L2·w</c> fused like PyTorch's <c>grad.add(param, alpha=weight_decay)</c> and <c>f·g</c> rounded on its
    /// own (it stands for the clipping <c>Scale</c> of the gradients before the update).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Penalized(T g, T w, in PenaltyCoefficients<T> c)
    {
        if (c.ScalesGradient) g *= c.GradientFactor;
        if (!c.PenalizesGradient) return g;
        T l1Sign = w > T.Zero ? c.L1 : w < T.Zero ? -c.L1 : T.Zero;
        return Fma(c.L2, w, g + l1Sign);
    }

    /// <summary>Vector form of <see cref="Penalized(T, T, in PenaltyCoefficients{T})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Penalized(Vector<T> g, Vector<T> w, in PenaltyCoefficients<T> c)
    {
        if (c.ScalesGradient) g *= new Vector<T>(c.GradientFactor);
        if (!c.PenalizesGradient) return g;
        var l1 = new Vector<T>(c.L1);
        // Selecting +L1 / -L1 / 0 gives the same bits as L1·sign(w), and NaN weights get 0 like the scalar form.
        var l1Sign = Vector.ConditionalSelect(Vector.GreaterThan(w, Vector<T>.Zero), l1, Vector<T>.Zero)
                   - Vector.ConditionalSelect(Vector.LessThan(w, Vector<T>.Zero), l1, Vector<T>.Zero);
        return Fma(new Vector<T>(c.L2), w, g + l1Sign);
    }

    /// <summary>Reference to the first element (for <see cref="Load"/>/<see cref="Store"/>); valid for empty spans too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T First(Span<T> span) => ref MemoryMarshal.GetReference(span);

    /// <summary>The vector at element <paramref name="index"/> (the caller keeps index + Count within the span).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load(ref T first, int index) => Vector.LoadUnsafe(ref first, (nuint)index);

    /// <summary>Stores <paramref name="value"/> at element <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<T> value, ref T first, int index) => value.StoreUnsafe(ref first, (nuint)index);

    /// <summary>The elements [start, end) of an optional state tensor (empty when it is absent).</summary>
    public static Span<T> Slice(Tensor<T>? tensor, int start, int end) =>
        tensor is null ? Span<T>.Empty : CpuBackend<T>.Span(tensor)[start..end];

    /// <summary>All elements of an optional state tensor (empty when it is absent).</summary>
    public static Span<T> All(Tensor<T>? tensor) => tensor is null ? Span<T>.Empty : CpuBackend<T>.Span(tensor);
}
