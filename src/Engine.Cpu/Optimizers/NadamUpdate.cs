using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// NAdam over a flat parameter range, in the order of PyTorch's <c>_single_tensor_nadam</c>:
/// <c>m = fma(1-β₁, g', mβ₁)</c>, <c>v = fma((1-β₂)g', g', vβ₂)</c>, <c>d = √(v/bc₂) + eps</c>,
/// <c>w = w + c_g·g'/d</c>, then <c>w = w + c_m·m/d</c> with the step sizes of <see cref="NadamCoefficients{T}"/>.
/// </summary>
internal static class NadamUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, in NadamCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients);
        Span<T> m = CpuBackend<T>.Span(expAvg), v = CpuBackend<T>.Span(expAvgSq);
        for (int i = 0; i < w.Length; i++) Element(ref w[i], g[i], ref m[i], ref v[i], c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, NadamCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, expAvg, expAvgSq, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), CpuBackend<T>.Span(expAvg), CpuBackend<T>.Span(expAvgSq), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, NadamCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, expAvg, expAvgSq, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end],
                CpuBackend<T>.Span(s.expAvg)[start..end], CpuBackend<T>.Span(s.expAvgSq)[start..end], s.c));

    private static void Range(Span<T> w, Span<T> g, Span<T> m, Span<T> v, in NadamCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g);
            ref T m0 = ref UpdateMath<T>.First(m), v0 = ref UpdateMath<T>.First(v);
            Vector<T> decay = new(c.Penalty.DecayFactor), beta1 = new(c.Beta1), oneMinusBeta1 = new(c.OneMinusBeta1);
            Vector<T> beta2 = new(c.Beta2), oneMinusBeta2 = new(c.OneMinusBeta2), biasCorrection2 = new(c.BiasCorrection2);
            Vector<T> eps = new(c.Eps), gradientStep = new(c.GradientStep), averageStep = new(c.AverageStep);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                var mv = UpdateMath<T>.Fma(oneMinusBeta1, d, UpdateMath<T>.Load(ref m0, i) * beta1);
                var vv = UpdateMath<T>.Fma(oneMinusBeta2 * d, d, UpdateMath<T>.Load(ref v0, i) * beta2);
                UpdateMath<T>.Store(mv, ref m0, i);
                UpdateMath<T>.Store(vv, ref v0, i);
                var denominator = Vector.SquareRoot(vv / biasCorrection2) + eps;
                wv += gradientStep * d / denominator;
                UpdateMath<T>.Store(wv + averageStep * mv / denominator, ref w0, i);
            }
        }
        for (; i < w.Length; i++) Element(ref w[i], g[i], ref m[i], ref v[i], c);
    }

    private static void Element(ref T w, T g, ref T m, ref T v, in NadamCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        m = UpdateMath<T>.Fma(c.OneMinusBeta1, d, m * c.Beta1);
        v = UpdateMath<T>.Fma(c.OneMinusBeta2 * d, d, v * c.Beta2);
        T denominator = T.Sqrt(v / c.BiasCorrection2) + c.Eps;
        w += c.GradientStep * d / denominator;
        w += c.AverageStep * m / denominator;
    }
}
