namespace CudaNet;

/// <summary>
/// How stochastic layers share one model seed without sharing random numbers: layer i draws from Philox streams
/// (seed, offset) with offset = i·2⁴⁰ + call number, so no two layers (and no two calls of one layer) ever use the
/// same counter, and resuming only needs each layer's call count.
/// </summary>
internal static class StochasticStreams
{
    public static ulong Base(int layerIndex) => (ulong)layerIndex << 40;

    /// <summary>Offset of draw <paramref name="draw"/> of layer <paramref name="layerIndex"/> in stochastic inference
    /// (<see cref="LayerRuntime{T}.ForwardSample"/>): the training layout with the top bit set, so sampling never
    /// reuses a training stream (for models of fewer than 2²³ layers and draws below 2⁴⁰).</summary>
    public static ulong Sample(int layerIndex, ulong draw) => SampleBit | (Base(layerIndex) + draw);

    private const ulong SampleBit = 1UL << 63;
}
