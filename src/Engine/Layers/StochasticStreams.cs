namespace CudaNet;

/// <summary>
/// How stochastic layers share one model seed without sharing random numbers: layer i draws from Philox streams
/// (seed, offset) with offset = i·2⁴⁰ + call number, so no two layers (and no two calls of one layer) ever use the
/// same counter, and resuming only needs each layer's call count.
/// </summary>
internal static class StochasticStreams
{
    public static ulong Base(int layerIndex) => (ulong)layerIndex << 40;
}
