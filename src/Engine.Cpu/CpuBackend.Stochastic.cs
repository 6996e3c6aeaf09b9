namespace CudaNet.Cpu;

// Stochastic ops: kernels in Stochastic/ (Philox masks and Box–Muller noise, bit-identical on every backend).
public sealed partial class CpuBackend<T>
{
    /// <inheritdoc/>
    protected override void DropoutCore(Tensor<T> y, Tensor<T> x, float p, ulong seed, ulong offset)
    {
        if (IsReference) Dropout<T>.Reference(Span(y), Span(x), p, seed, offset);
        else Dropout<T>.Simd(this, y, x, p, seed, offset);
    }

    /// <inheritdoc/>
    protected override void DropConnectMaskCore(Tensor<T> wMasked, Tensor<T> w, float p, ulong seed, ulong offset)
    {
        if (IsReference) DropConnectMask<T>.Reference(Span(wMasked), Span(w), p, seed, offset);
        else DropConnectMask<T>.Simd(this, wMasked, w, p, seed, offset);
    }

    /// <inheritdoc/>
    protected override void AddGaussianNoiseCore(Tensor<T> y, Tensor<T> x, T stddev, ulong seed, ulong offset)
    {
        if (IsReference) GaussianNoise<T>.Reference(Span(y), Span(x), stddev, seed, offset);
        else GaussianNoise<T>.Simd(this, y, x, stddev, seed, offset);
    }
}
