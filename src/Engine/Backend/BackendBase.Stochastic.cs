namespace CudaNet;

public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void DropoutForward(Tensor<T> y, Tensor<T> x, double p, ulong seed, ulong offset)
    {
        var check = Check(nameof(DropoutForward));
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        check.InRange(p, nameof(p), 0, 1, hiExclusive: true);
        if (x.Length > 0) DropoutCore(y, x, (float)p, seed, offset);
    }

    /// <inheritdoc/>
    public void DropoutBackward(Tensor<T> dx, Tensor<T> dy, double p, ulong seed, ulong offset)
    {
        var check = Check(nameof(DropoutBackward));
        check.Tensor(dy, nameof(dy));
        check.Length(dx, nameof(dx), dy.Length, "as many as 'dy'");
        check.InRange(p, nameof(p), 0, 1, hiExclusive: true);
        // y = x·m/(1-p) is linear in x, so the backward pass is the forward pass applied to dy.
        if (dy.Length > 0) DropoutCore(dx, dy, (float)p, seed, offset);
    }

    /// <inheritdoc/>
    public void DropConnectMask(Tensor<T> wMasked, Tensor<T> w, double p, ulong seed, ulong offset)
    {
        var check = Check(nameof(DropConnectMask));
        check.Tensor(w, nameof(w));
        check.Length(wMasked, nameof(wMasked), w.Length, "as many as 'w'");
        check.InRange(p, nameof(p), 0, 1, hiExclusive: true);
        if (w.Length > 0) DropConnectMaskCore(wMasked, w, (float)p, seed, offset);
    }

    /// <inheritdoc/>
    public void AddGaussianNoise(Tensor<T> y, Tensor<T> x, double stddev, ulong seed, ulong offset)
    {
        var check = Check(nameof(AddGaussianNoise));
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        check.NonNegative(stddev, nameof(stddev));
        if (x.Length > 0) AddGaussianNoiseCore(y, x, Cast(stddev), seed, offset);
    }

    /// <summary>Validated inverted dropout, non-empty; <paramref name="p"/> is the float the mask rule compares with
    /// (the same float on every backend, so masks are bit-identical).</summary>
    protected abstract void DropoutCore(Tensor<T> y, Tensor<T> x, float p, ulong seed, ulong offset);
    /// <summary>Validated <see cref="DropConnectMask"/>, non-empty.</summary>
    protected abstract void DropConnectMaskCore(Tensor<T> wMasked, Tensor<T> w, float p, ulong seed, ulong offset);
    /// <summary>Validated <see cref="AddGaussianNoise"/>, non-empty.</summary>
    protected abstract void AddGaussianNoiseCore(Tensor<T> y, Tensor<T> x, T stddev, ulong seed, ulong offset);
}
