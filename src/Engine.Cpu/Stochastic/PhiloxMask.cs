using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CudaNet.Cpu;

/// <summary>
/// The Philox keep-mask shared by dropout and DropConnect: y[i] = keep[i] ? x[i]·scale : 0 with keep[i] =
/// <see cref="Philox.Keep"/>(word i of the stream (seed, offset), p). A dropped element is exactly +0 whatever
/// x[i] is (also ±inf or NaN), so nothing of a dropped unit reaches the next layer.
/// </summary>
internal static class PhiloxMask<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per <see cref="CpuBackend{T}.ParallelFor"/> chunk.</summary>
    private const int Grain = 1 << 15;

    /// <summary>The reference: one Philox block per element, the formula as written.</summary>
    // x, y (n)
    public static void Reference(Span<T> y, ReadOnlySpan<T> x, float p, T scale, ulong seed, ulong offset)
    {
        for (int i = 0; i < x.Length; i++)
        {
            uint word = Word(Philox.Block(seed, offset, (ulong)i / 4), i % 4);
            y[i] = Philox.Keep(word, p) ? x[i] * scale : T.Zero;
        }
    }

    /// <summary>
    /// The keep rule on the raw word: <see cref="Philox.Keep"/>(word, p) ⇔ word ≥ ⌈p·2²⁴⌉·2⁸. The uniform is
    /// (word ≫ 8)·2⁻²⁴ and p·2²⁴ is exact in float, so comparing an integer with its ceiling is the same test.
    /// </summary>
    internal static uint KeepThreshold(float p) => (uint)MathF.Ceiling(p * 16777216f) << 8;

    /// <summary>
    /// Philox fused with the select, chunks in parallel: 64 elements per step with AVX-512 (16 blocks), 32 with
    /// AVX2 (8 blocks), the words kept in registers in element order (no mask buffer); the elements before the
    /// first whole step and after the last go through the scalar Philox. Bit-identical to <see cref="Reference"/>:
    /// the keep test is <see cref="KeepThreshold"/>'s and x·scale the same single rounding.
    /// </summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, float p, T scale, ulong seed, ulong offset)
    {
        uint threshold = KeepThreshold(p);
        bool streaming = StreamingStore.Worthwhile(y);
        backend.ParallelFor(x.Length, Grain, (y, x, threshold, scale, seed, offset, streaming), static (s, _, start, end) =>
            Range(CpuBackend<T>.Span(s.y), CpuBackend<T>.Span(s.x), start, end, s.threshold, s.scale, s.seed, s.offset, s.streaming));
    }

    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower), and never
    // inlined: once the calling lambda reaches tier 1 the JIT inlines this loop into it, where the two Philox states are
    // no longer promoted to registers (each round then stores and reloads eight zmm words: 3× slower, the cause of
    // "dropout backward 3× slower than forward" in `cudanet bench`, which only ran after the lambda had tiered up).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Range(Span<T> y, ReadOnlySpan<T> x, int start, int end, uint threshold, T scale, ulong seed,
        ulong offset, bool streaming)
    {
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref T x0 = ref MemoryMarshal.GetReference(x);
        int step = PhiloxVector512.IsSupported ? PhiloxVector512.Words : PhiloxVector.IsSupported ? PhiloxVector.Words : 0;
        int i = start;
        if (step > 0)
        {
            // Steps start at multiples of the step so every vector lane is a whole block.
            int firstStep = (int)Math.Min(end, (start + (long)step - 1) / step * step);
            Scalar(y, x, i, firstStep, threshold, scale, seed, offset);
            i = firstStep;
        }
        if (step == PhiloxVector512.Words)
        {
            var keys = PhiloxVector512.RoundKeys.Create(seed);
            var thresholds = Vector512.Create(threshold);
            var scales = Vector512.Create(scale);
            for (; i <= end - step; i += step)
            {
                var (e0, e1, e2, e3) = PhiloxVector512.GenerateElements(keys, offset, (ulong)i / 4);
                Prefetch(ref x0, i + PrefetchDistance, step);
                Select(ref y0, ref x0, i, e0, thresholds, scales, streaming);
                Select(ref y0, ref x0, i + 16, e1, thresholds, scales, streaming);
                Select(ref y0, ref x0, i + 32, e2, thresholds, scales, streaming);
                Select(ref y0, ref x0, i + 48, e3, thresholds, scales, streaming);
            }
        }
        else if (step == PhiloxVector.Words)
        {
            var thresholds = Vector256.Create(threshold);
            var scales = Vector256.Create(scale);
            for (; i <= end - step; i += step)
            {
                var (e0, e1, e2, e3) = PhiloxVector.GenerateElements(seed, offset, (ulong)i / 4);
                Prefetch(ref x0, i + PrefetchDistance, step);
                Select(ref y0, ref x0, i, e0, thresholds, scales, streaming);
                Select(ref y0, ref x0, i + 8, e1, thresholds, scales, streaming);
                Select(ref y0, ref x0, i + 16, e2, thresholds, scales, streaming);
                Select(ref y0, ref x0, i + 24, e3, thresholds, scales, streaming);
            }
        }
        Scalar(y, x, i, end, threshold, scale, seed, offset);
        StreamingStore.Fence(streaming);
    }

    /// <summary>
    /// How far ahead (elements) the loops prefetch x: ~16 steps, a few hundred nanoseconds of Philox. The loop reads x
    /// too slowly for the hardware prefetcher to run ahead of it (one 256-byte step per ~70 cycles of arithmetic), so
    /// without this every step waited for DRAM: 0.9 ns per element on one core on 16M floats against 0.3 in cache.
    /// </summary>
    private const int PrefetchDistance = 1024;

    /// <summary>Prefetches the cache lines of x[i .. i + count) (prefetching past the end is harmless: no fault).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(ref T x, int i, int count)
    {
        if (!Sse.IsSupported) return;
        byte* first = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref x, i));
        for (int line = 0; line < count * sizeof(T); line += 64) Sse.Prefetch0(first + line);
    }

    /// <summary>y[i + j] = words[j] ≥ threshold ? x[i + j]·scale : 0 for the 16 elements of one word vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Select(ref T y, ref T x, int i, Vector512<uint> words, Vector512<uint> thresholds, Vector512<T> scales,
        bool streaming)
    {
        var keep = Vector512.GreaterThanOrEqual(words, thresholds).AsInt32();
        if (Vector512<T>.Count == Vector512<uint>.Count)
        {
            Store(ref y, i, keep.As<int, T>(), Vector512.LoadUnsafe(ref x, (nuint)i) * scales, streaming);
            return;
        }
        var (low, high) = Vector512.Widen(keep);  // double: one 64-bit mask lane per element
        Store(ref y, i, low.As<long, T>(), Vector512.LoadUnsafe(ref x, (nuint)i) * scales, streaming);
        Store(ref y, i + Vector512<T>.Count, high.As<long, T>(), Vector512.LoadUnsafe(ref x, (nuint)(i + Vector512<T>.Count)) * scales,
            streaming);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref T y, int i, Vector512<T> keep, Vector512<T> scaled, bool streaming) =>
        StreamingStore.Store(Vector512.ConditionalSelect(keep, scaled, Vector512<T>.Zero), ref y, (nuint)i, streaming);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref T y, int i, Vector256<T> keep, Vector256<T> scaled, bool streaming) =>
        StreamingStore.Store(Vector256.ConditionalSelect(keep, scaled, Vector256<T>.Zero), ref y, (nuint)i, streaming);

    /// <summary>The 256-bit form of <see cref="Select(ref T, ref T, int, Vector512{uint}, Vector512{uint}, Vector512{T}, bool)"/> (8 elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Select(ref T y, ref T x, int i, Vector256<uint> words, Vector256<uint> thresholds, Vector256<T> scales,
        bool streaming)
    {
        var keep = Vector256.GreaterThanOrEqual(words, thresholds).AsInt32();
        if (Vector256<T>.Count == Vector256<uint>.Count)
        {
            Store(ref y, i, keep.As<int, T>(), Vector256.LoadUnsafe(ref x, (nuint)i) * scales, streaming);
            return;
        }
        var (low, high) = Vector256.Widen(keep);
        int half = Vector256<T>.Count;
        Store(ref y, i, low.As<long, T>(), Vector256.LoadUnsafe(ref x, (nuint)i) * scales, streaming);
        Store(ref y, i + half, high.As<long, T>(), Vector256.LoadUnsafe(ref x, (nuint)(i + half)) * scales, streaming);
    }

    /// <summary>Elements [start, end) with one scalar Philox block per four elements.</summary>
    private static void Scalar(Span<T> y, ReadOnlySpan<T> x, int start, int end, uint threshold, T scale, ulong seed, ulong offset)
    {
        for (int i = start; i < end;)
        {
            var block = Philox.Block(seed, offset, (ulong)i / 4);
            for (int word = i % 4; word < 4 && i < end; word++, i++)
                y[i] = Word(block, word) >= threshold ? x[i] * scale : T.Zero;
        }
    }

    /// <summary>Word <paramref name="index"/> (0..3) of a Philox block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Word((uint X0, uint X1, uint X2, uint X3) block, int index) => index switch
    {
        0 => block.X0,
        1 => block.X1,
        2 => block.X2,
        _ => block.X3,
    };
}
