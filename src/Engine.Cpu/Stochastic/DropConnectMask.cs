using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// DropConnect (Wan et al., 2013): wMasked = keep ? w : 0, unscaled, with the dropout keep rule on the stream
/// (seed, offset). Linear in w, so applying it to the gradient of wMasked gives the gradient of w.
/// </summary>
internal static class DropConnectMask<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The reference (plain loop, one thread).</summary>
    // w, wMasked (n)
    public static void Reference(Span<T> wMasked, ReadOnlySpan<T> w, float p, ulong seed, ulong offset) =>
        PhiloxMask<T>.Reference(wMasked, w, p, T.One, seed, offset);

    /// <summary>The SIMD version, bit-identical to <see cref="Reference"/>.</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> wMasked, Tensor<T> w, float p, ulong seed, ulong offset) =>
        PhiloxMask<T>.Simd(backend, wMasked, w, p, T.One, seed, offset);
}
