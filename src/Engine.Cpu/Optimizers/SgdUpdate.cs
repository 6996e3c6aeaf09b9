using System.Numerics;
using System.Runtime.CompilerServices;

namespace CudaNet.Cpu;

/// <summary>
/// SGD over a flat parameter range, in the order of PyTorch 1.13's <c>_single_tensor_sgd</c>:
/// <c>d = g'</c>; with momentum <c>b = d</c> on step 1, else <c>b = fma(1-τ, d, b·μ)</c>, then
/// <c>d = fma(μ, b, d)</c> (Nesterov) or <c>d = b</c>; <c>w = fma(-lr, d, w)</c>.
/// </summary>
internal static class SgdUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, in SgdCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients), b = UpdateMath<T>.All(momentumBuffer);
        T unused = T.Zero;
        for (int i = 0; i < w.Length; i++)
            Element(ref w[i], g[i], ref c.UsesMomentum ? ref b[i] : ref unused, c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, SgdCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, momentumBuffer, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), UpdateMath<T>.All(momentumBuffer), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, SgdCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, momentumBuffer, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end],
                UpdateMath<T>.Slice(s.momentumBuffer, start, end), s.c));

    // Hot SIMD loop: fully optimised from the first call (tiered tier-0/OSR code of it measured 2-6× slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Range(Span<T> w, Span<T> g, Span<T> b, in SgdCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g), b0 = ref UpdateMath<T>.First(b);
            Vector<T> decay = new(c.Penalty.DecayFactor), negativeLr = new(c.NegativeLr);
            Vector<T> momentum = new(c.Momentum), oneMinusDampening = new(c.OneMinusDampening);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                if (c.UsesMomentum)
                {
                    var bv = c.FirstStep ? d : UpdateMath<T>.Fma(oneMinusDampening, d, UpdateMath<T>.Load(ref b0, i) * momentum);
                    UpdateMath<T>.Store(bv, ref b0, i);
                    d = c.Nesterov ? UpdateMath<T>.Fma(momentum, bv, d) : bv;
                }
                UpdateMath<T>.Store(UpdateMath<T>.Fma(negativeLr, d, wv), ref w0, i);
            }
        }
        T unused = T.Zero;
        for (; i < w.Length; i++)
            Element(ref w[i], g[i], ref c.UsesMomentum ? ref b[i] : ref unused, c);
    }

    private static void Element(ref T w, T g, ref T b, in SgdCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        if (c.UsesMomentum)
        {
            // PyTorch creates the buffer as a copy of the first gradient, without dampening.
            b = c.FirstStep ? d : UpdateMath<T>.Fma(c.OneMinusDampening, d, b * c.Momentum);
            d = c.Nesterov ? UpdateMath<T>.Fma(c.Momentum, b, d) : b;
        }
        w = UpdateMath<T>.Fma(c.NegativeLr, d, w);
    }
}
