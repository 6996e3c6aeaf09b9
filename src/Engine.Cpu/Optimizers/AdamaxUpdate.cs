using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// Adamax over a flat parameter range, in the order of PyTorch 1.13's <c>_single_tensor_adamax</c>:
/// <c>m = fma(1-β₁, g', mβ₁)</c>, <c>u = max(uβ₂, |g'| + eps)</c>, <c>w = w + (-lr/bc₁)·m/u</c>.
/// </summary>
internal static class AdamaxUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf, in AdamaxCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients);
        Span<T> m = CpuBackend<T>.Span(expAvg), u = CpuBackend<T>.Span(expInf);
        for (int i = 0; i < w.Length; i++) Element(ref w[i], g[i], ref m[i], ref u[i], c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf, AdamaxCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, expAvg, expInf, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), CpuBackend<T>.Span(expAvg), CpuBackend<T>.Span(expInf), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf, AdamaxCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, expAvg, expInf, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end],
                CpuBackend<T>.Span(s.expAvg)[start..end], CpuBackend<T>.Span(s.expInf)[start..end], s.c));

    private static void Range(Span<T> w, Span<T> g, Span<T> m, Span<T> u, in AdamaxCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g);
            ref T m0 = ref UpdateMath<T>.First(m), u0 = ref UpdateMath<T>.First(u);
            Vector<T> decay = new(c.Penalty.DecayFactor), beta1 = new(c.Beta1), oneMinusBeta1 = new(c.OneMinusBeta1);
            Vector<T> beta2 = new(c.Beta2), eps = new(c.Eps), negativeClr = new(c.NegativeClr);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                var mv = UpdateMath<T>.Fma(oneMinusBeta1, d, UpdateMath<T>.Load(ref m0, i) * beta1);
                // Vector.Max propagates NaN like T.Max and torch.amax.
                var uv = Vector.Max(UpdateMath<T>.Load(ref u0, i) * beta2, Vector.Abs(d) + eps);
                UpdateMath<T>.Store(mv, ref m0, i);
                UpdateMath<T>.Store(uv, ref u0, i);
                UpdateMath<T>.Store(wv + negativeClr * mv / uv, ref w0, i);
            }
        }
        for (; i < w.Length; i++) Element(ref w[i], g[i], ref m[i], ref u[i], c);
    }

    private static void Element(ref T w, T g, ref T m, ref T u, in AdamaxCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        m = UpdateMath<T>.Fma(c.OneMinusBeta1, d, m * c.Beta1);
        u = T.Max(u * c.Beta2, T.Abs(d) + c.Eps);
        w += c.NegativeClr * m / u;
    }
}
