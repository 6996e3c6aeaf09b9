using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// Adadelta over a flat parameter range, in the order of PyTorch 1.13's <c>_single_tensor_adadelta</c>:
/// <c>v = fma((1-ρ)g', g', vρ)</c>, <c>Δ = √(u + eps)/√(v + eps)·g'</c>, <c>u = fma((1-ρ)Δ, Δ, uρ)</c>,
/// <c>w = fma(-lr, Δ, w)</c>.
/// </summary>
internal static class AdadeltaUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta, in AdadeltaCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients);
        Span<T> v = CpuBackend<T>.Span(squareAvg), u = CpuBackend<T>.Span(accDelta);
        for (int i = 0; i < w.Length; i++) Element(ref w[i], g[i], ref v[i], ref u[i], c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta, AdadeltaCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, squareAvg, accDelta, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), CpuBackend<T>.Span(squareAvg), CpuBackend<T>.Span(accDelta), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta, AdadeltaCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, squareAvg, accDelta, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end],
                CpuBackend<T>.Span(s.squareAvg)[start..end], CpuBackend<T>.Span(s.accDelta)[start..end], s.c));

    private static void Range(Span<T> w, Span<T> g, Span<T> v, Span<T> u, in AdadeltaCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g);
            ref T v0 = ref UpdateMath<T>.First(v), u0 = ref UpdateMath<T>.First(u);
            Vector<T> decay = new(c.Penalty.DecayFactor), rho = new(c.Rho), oneMinusRho = new(c.OneMinusRho);
            Vector<T> eps = new(c.Eps), negativeLr = new(c.NegativeLr);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                var vv = UpdateMath<T>.Fma(oneMinusRho * d, d, UpdateMath<T>.Load(ref v0, i) * rho);
                var uv = UpdateMath<T>.Load(ref u0, i);
                var delta = Vector.SquareRoot(uv + eps) / Vector.SquareRoot(vv + eps) * d;
                UpdateMath<T>.Store(vv, ref v0, i);
                UpdateMath<T>.Store(UpdateMath<T>.Fma(oneMinusRho * delta, delta, uv * rho), ref u0, i);
                UpdateMath<T>.Store(UpdateMath<T>.Fma(negativeLr, delta, wv), ref w0, i);
            }
        }
        for (; i < w.Length; i++) Element(ref w[i], g[i], ref v[i], ref u[i], c);
    }

    private static void Element(ref T w, T g, ref T v, ref T u, in AdadeltaCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        v = UpdateMath<T>.Fma(c.OneMinusRho * d, d, v * c.Rho);
        T delta = T.Sqrt(u + c.Eps) / T.Sqrt(v + c.Eps) * d;
        u = UpdateMath<T>.Fma(c.OneMinusRho * delta, delta, u * c.Rho);
        w = UpdateMath<T>.Fma(c.NegativeLr, delta, w);
    }
}
