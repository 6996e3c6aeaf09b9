using System.Numerics;
using System.Runtime.CompilerServices;

namespace CudaNet.Cpu;

/// <summary>
/// RMSprop over a flat parameter range, in the order of PyTorch 1.13's <c>_single_tensor_rmsprop</c>:
/// <c>v = fma((1-α)g', g', vα)</c>; centered: <c>ḡ = fma(1-α, g', ḡα)</c>, <c>a = √fma(-ḡ, ḡ, v) + eps</c>,
/// else <c>a = √v + eps</c>; with momentum <c>b = bμ + g'/a</c> and <c>w = fma(-lr, b, w)</c> (Nesterov:
/// <c>w = fma(-lr, fma(μ, b, g'/a), w)</c>), else <c>w = w + (-lr)·g'/a</c>.
/// </summary>
internal static class RmsPropUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, in RmsPropCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients), v = CpuBackend<T>.Span(squareAvg);
        Span<T> a = UpdateMath<T>.All(gradAvg), b = UpdateMath<T>.All(momentumBuffer);
        T unusedAverage = T.Zero, unusedBuffer = T.Zero;
        for (int i = 0; i < w.Length; i++)
            Element(ref w[i], g[i], ref v[i], ref c.Centered ? ref a[i] : ref unusedAverage,
                ref c.UsesMomentum ? ref b[i] : ref unusedBuffer, c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, RmsPropCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, squareAvg, gradAvg, momentumBuffer, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), CpuBackend<T>.Span(squareAvg),
            UpdateMath<T>.All(gradAvg), UpdateMath<T>.All(momentumBuffer), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, RmsPropCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, squareAvg, gradAvg, momentumBuffer, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end], CpuBackend<T>.Span(s.squareAvg)[start..end],
                UpdateMath<T>.Slice(s.gradAvg, start, end), UpdateMath<T>.Slice(s.momentumBuffer, start, end), s.c));

    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Range(Span<T> w, Span<T> g, Span<T> v, Span<T> a, Span<T> b, in RmsPropCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g), v0 = ref UpdateMath<T>.First(v);
            ref T a0 = ref UpdateMath<T>.First(a), b0 = ref UpdateMath<T>.First(b);
            Vector<T> decay = new(c.Penalty.DecayFactor), alpha = new(c.Alpha), oneMinusAlpha = new(c.OneMinusAlpha);
            Vector<T> eps = new(c.Eps), momentum = new(c.Momentum), negativeLr = new(c.NegativeLr);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                var vv = UpdateMath<T>.Fma(oneMinusAlpha * d, d, UpdateMath<T>.Load(ref v0, i) * alpha);
                UpdateMath<T>.Store(vv, ref v0, i);
                Vector<T> average;
                if (c.Centered)
                {
                    var av = UpdateMath<T>.Fma(oneMinusAlpha, d, UpdateMath<T>.Load(ref a0, i) * alpha);
                    UpdateMath<T>.Store(av, ref a0, i);
                    average = Vector.SquareRoot(UpdateMath<T>.Fma(-av, av, vv)) + eps;
                }
                else
                {
                    average = Vector.SquareRoot(vv) + eps;
                }
                if (c.UsesMomentum)
                {
                    var bv = UpdateMath<T>.Load(ref b0, i) * momentum + d / average;
                    UpdateMath<T>.Store(bv, ref b0, i);
                    var direction = c.Nesterov ? UpdateMath<T>.Fma(momentum, bv, d / average) : bv;
                    UpdateMath<T>.Store(UpdateMath<T>.Fma(negativeLr, direction, wv), ref w0, i);
                }
                else
                {
                    UpdateMath<T>.Store(wv + negativeLr * d / average, ref w0, i);
                }
            }
        }
        T unusedAverage = T.Zero, unusedBuffer = T.Zero;
        for (; i < w.Length; i++)
            Element(ref w[i], g[i], ref v[i], ref c.Centered ? ref a[i] : ref unusedAverage,
                ref c.UsesMomentum ? ref b[i] : ref unusedBuffer, c);
    }

    private static void Element(ref T w, T g, ref T v, ref T a, ref T b, in RmsPropCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        v = UpdateMath<T>.Fma(c.OneMinusAlpha * d, d, v * c.Alpha);
        T average;
        if (c.Centered)
        {
            a = UpdateMath<T>.Fma(c.OneMinusAlpha, d, a * c.Alpha);
            average = T.Sqrt(UpdateMath<T>.Fma(-a, a, v)) + c.Eps;
        }
        else
        {
            average = T.Sqrt(v) + c.Eps;
        }
        if (c.UsesMomentum)
        {
            b = b * c.Momentum + d / average;
            T direction = c.Nesterov ? UpdateMath<T>.Fma(c.Momentum, b, d / average) : b;
            w = UpdateMath<T>.Fma(c.NegativeLr, direction, w);
        }
        else
        {
            w += c.NegativeLr * d / average;
        }
    }
}
