using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// Inverted dropout (PyTorch convention, DESIGN.md §4): y = keep ? x·scale : 0, keep when the Philox uniform of
/// element i is ≥ p. Backward is the same op on dy with the same (seed, offset): the mask is regenerated, never
/// stored, as the contract says. On the CPU that is not free: Philox4x32-10 is 20 32×32→64 multiplies per 4 elements;
/// the fused AVX-512 path (<see cref="PhiloxVector512"/>, ~2.6 instructions per element) runs at 0.29 ns per element on
/// one Zen 5 core with the data in cache (0.6 typical on a shared machine), where streaming 16M floats in and out
/// costs 0.2 ns per element (one-thread <c>Span.CopyTo</c>): on two cores it is compute-bound at about the copy's
/// speed at best. It buys a stateless op with no mask memory, and on the GPU Philox is cheap next to memory traffic.
/// </summary>
internal static class Dropout<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// scale = T(1) / (T(1) - T(p)) with p the float the keep rule compares with, converted exactly to T: one
    /// correctly rounded division, the same on every backend (CUDA: <c>1.0f / (1.0f - p)</c> with IEEE division).
    /// p = 0 gives exactly 1, so dropout with p = 0 is the identity.
    /// </summary>
    public static T Scale(float p) => T.One / (T.One - T.CreateTruncating(p));

    /// <summary>The reference (plain loop, one thread).</summary>
    // x, y (n)
    public static void Reference(Span<T> y, ReadOnlySpan<T> x, float p, ulong seed, ulong offset) =>
        PhiloxMask<T>.Reference(y, x, p, Scale(p), seed, offset);

    /// <summary>The SIMD version, bit-identical to <see cref="Reference"/>.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x, float p, ulong seed, ulong offset) =>
        PhiloxMask<T>.Simd(backend, y, x, p, Scale(p), seed, offset);
}
