using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// Adagrad over a flat parameter range, in the order of PyTorch 1.13's <c>_single_tensor_adagrad</c>:
/// <c>s = fma(g', g', s)</c>, <c>w = w + (-clr)·g'/(√s + eps)</c>.
/// </summary>
internal static class AdagradUpdateKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference: one scalar loop on one thread.</summary>
    public static void Reference(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, in AdagradCoefficients<T> c)
    {
        Span<T> w = CpuBackend<T>.Span(parameters), g = CpuBackend<T>.Span(gradients), s = CpuBackend<T>.Span(sum);
        for (int i = 0; i < w.Length; i++) Element(ref w[i], g[i], ref s[i], c);
    }

    /// <summary>Vectorised, split over threads for large ranges.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, AdagradCoefficients<T> c)
    {
        if (UpdateMath<T>.Splits(backend, parameters.Length)) Parallel(backend, parameters, gradients, sum, c);
        else Range(CpuBackend<T>.Span(parameters), CpuBackend<T>.Span(gradients), CpuBackend<T>.Span(sum), c);
    }

    // The split form: the tensors travel in a state tuple to a static lambda, so nothing is allocated.
    private static void Parallel(CpuBackend<T> backend, Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, AdagradCoefficients<T> c) =>
        backend.ParallelFor(parameters.Length, UpdateMath<T>.Grain, (parameters, gradients, sum, c),
            static (s, _, start, end) => Range(
                CpuBackend<T>.Span(s.parameters)[start..end], CpuBackend<T>.Span(s.gradients)[start..end], CpuBackend<T>.Span(s.sum)[start..end], s.c));

    private static void Range(Span<T> w, Span<T> g, Span<T> s, in AdagradCoefficients<T> c)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ref T w0 = ref UpdateMath<T>.First(w), g0 = ref UpdateMath<T>.First(g), s0 = ref UpdateMath<T>.First(s);
            Vector<T> decay = new(c.Penalty.DecayFactor), negativeClr = new(c.NegativeClr), eps = new(c.Eps);
            for (; i <= w.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var wv = UpdateMath<T>.Load(ref w0, i);
                var d = UpdateMath<T>.Penalized(UpdateMath<T>.Load(ref g0, i), wv, c.Penalty);
                wv *= decay;
                var sv = UpdateMath<T>.Fma(d, d, UpdateMath<T>.Load(ref s0, i));
                UpdateMath<T>.Store(sv, ref s0, i);
                UpdateMath<T>.Store(wv + negativeClr * d / (Vector.SquareRoot(sv) + eps), ref w0, i);
            }
        }
        for (; i < w.Length; i++) Element(ref w[i], g[i], ref s[i], c);
    }

    private static void Element(ref T w, T g, ref T s, in AdagradCoefficients<T> c)
    {
        T d = UpdateMath<T>.Penalized(g, w, c.Penalty);
        w *= c.Penalty.DecayFactor;
        s = UpdateMath<T>.Fma(d, d, s);
        w += c.NegativeClr * d / (T.Sqrt(s) + c.Eps);
    }
}
