using System.Numerics;
using System.Runtime.CompilerServices;

namespace CudaNet.Cpu;

/// <summary>
/// Adam, AMSGrad and AdamW over a flat parameter range, in the order of PyTorch 1.13's <c>_single_tensor_adam</c>
/// / <c>_single_tensor_adamw</c>: <c>m = fma(1-β₁, g', mβ₁)</c>, <c>v = fma((1-β₂)g', g', vβ₂)</c>, AMSGrad
/// <c>v̂ = max(v̂, v)</c>, <c>w = w + (-lr/bc₁)·m/(√v/√bc₂ + eps)</c> (with <c>v̂</c> for AMSGrad); AdamW's
/// <c>w *= 1 - lr·wd</c> comes first.
/// </summary>
internal static class AdamUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, in AdamCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients);
        Span<T> m = CpuBackend<T>.Span(expAvg), v = CpuBackend<T>.Span(expAvgSq), vMax = UpdateMath<T>.All(maxExpAvgSq);
        T unused = T.Zero;
        for (int i = 0; i < w.Length; i++)
            Element(ref w[i], g[i], ref m[i], ref v[i], ref c.Amsgrad ? ref vMax[i] : ref unused, c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, AdamCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), CpuBackend<T>.Span(expAvg),
            CpuBackend<T>.Span(expAvgSq), UpdateMath<T>.All(maxExpAvgSq), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, AdamCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, expAvg, expAvgSq, maxExpAvgSq, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end], CpuBackend<T>.Span(s.expAvg)[start..end],
                CpuBackend<T>.Span(s.expAvgSq)[start..end], UpdateMath<T>.Slice(s.maxExpAvgSq, start, end), s.c));

    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Range(Span<T> w, Span<T> g, Span<T> m, Span<T> v, Span<T> vMax, in AdamCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g), m0 = ref UpdateMath<T>.First(m);
            ref T v0 = ref UpdateMath<T>.First(v), vMax0 = ref UpdateMath<T>.First(vMax);
            Vector<T> decay = new(c.Penalty.DecayFactor), beta1 = new(c.Beta1), oneMinusBeta1 = new(c.OneMinusBeta1);
            Vector<T> beta2 = new(c.Beta2), oneMinusBeta2 = new(c.OneMinusBeta2), negativeStepSize = new(c.NegativeStepSize);
            Vector<T> biasCorrection2Sqrt = new(c.BiasCorrection2Sqrt), eps = new(c.Eps);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                var mv = UpdateMath<T>.Fma(oneMinusBeta1, d, UpdateMath<T>.Load(ref m0, i) * beta1);
                var vv = UpdateMath<T>.Fma(oneMinusBeta2 * d, d, UpdateMath<T>.Load(ref v0, i) * beta2);
                UpdateMath<T>.Store(mv, ref m0, i);
                UpdateMath<T>.Store(vv, ref v0, i);
                if (c.Amsgrad)
                {
                    vv = Vector.Max(UpdateMath<T>.Load(ref vMax0, i), vv);
                    UpdateMath<T>.Store(vv, ref vMax0, i);
                }
                UpdateMath<T>.Store(wv + negativeStepSize * mv / (Vector.SquareRoot(vv) / biasCorrection2Sqrt + eps), ref w0, i);
            }
        }
        T unused = T.Zero;
        for (; i < w.Length; i++)
            Element(ref w[i], g[i], ref m[i], ref v[i], ref c.Amsgrad ? ref vMax[i] : ref unused, c);
    }

    private static void Element(ref T w, T g, ref T m, ref T v, ref T vMax, in AdamCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        m = UpdateMath<T>.Fma(c.OneMinusBeta1, d, m * c.Beta1);
        v = UpdateMath<T>.Fma(c.OneMinusBeta2 * d, d, v * c.Beta2);
        T second = v;
        if (c.Amsgrad)
        {
            vMax = T.Max(vMax, v);
            second = vMax;
        }
        w += c.NegativeStepSize * m / (T.Sqrt(second) / c.BiasCorrection2Sqrt + c.Eps);
    }
}
