namespace CudaNet;

public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void Gemm(Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, double alpha, double beta,
        Tensor<T>? bias = null, Activation epilogue = default)
    {
        var check = Check(nameof(Gemm));
        var (aRows, aCols) = check.Matrix(a, nameof(a));
        var (bRows, bCols) = check.Matrix(b, nameof(b));
        var (m, n) = check.Matrix(c, nameof(c));
        int k = transposeA ? aRows : aCols;
        int am = transposeA ? aCols : aRows;
        int bk = transposeB ? bCols : bRows;
        int bn = transposeB ? bRows : bCols;
        if (am != m) throw check.Fail(nameof(a), $"gives op(A) {am} rows but 'c' has {m}");
        if (bn != n) throw check.Fail(nameof(b), $"gives op(B) {bn} columns but 'c' has {n}");
        if (bk != k) throw check.Fail(nameof(b), $"gives op(B) {bk} rows but op(A) has {k} columns (the inner dimension)");
        if (bias is not null) check.Length(bias, nameof(bias), n, "one per column of 'c'");
        check.Finite(alpha, nameof(alpha));
        check.Finite(beta, nameof(beta));
        CheckActivation(check, epilogue, nameof(epilogue));
        check.NoOverlap(c, nameof(c), a, nameof(a));
        check.NoOverlap(c, nameof(c), b, nameof(b));
        if (m > 0 && n > 0) GemmCore(c, a, transposeA, b, transposeB, Cast(alpha), Cast(beta), bias, epilogue, k);
    }

    /// <inheritdoc/>
    public void ActivationForward(Tensor<T> y, Tensor<T> x, Activation activation)
    {
        var check = Check(nameof(ActivationForward));
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        CheckActivation(check, activation, nameof(activation));
        if (x.Length > 0) ActivationForwardCore(y, x, activation);
    }

    /// <inheritdoc/>
    public void ActivationBackward(Tensor<T> dx, Tensor<T> dy, Tensor<T> x, Tensor<T> y, Activation activation)
    {
        var check = Check(nameof(ActivationBackward));
        check.Tensor(dy, nameof(dy));
        check.Length(dx, nameof(dx), dy.Length, "as many as 'dy'");
        check.Length(x, nameof(x), dy.Length, "as many as 'dy'");
        check.Length(y, nameof(y), dy.Length, "as many as 'dy'");
        CheckActivation(check, activation, nameof(activation));
        if (dy.Length > 0) ActivationBackwardCore(dx, dy, x, y, activation);
    }

    /// <inheritdoc/>
    public void PReLUForward(Tensor<T> y, Tensor<T> x, Tensor<T> alpha)
    {
        var check = Check(nameof(PReLUForward));
        var (_, features) = check.Matrix(x, nameof(x));
        check.SameShape(y, nameof(y), x, nameof(x));
        check.Length(alpha, nameof(alpha), features, "one slope per column of 'x'");
        if (x.Length > 0) PReLUForwardCore(y, x, alpha);
    }

    /// <inheritdoc/>
    public void PReLUBackward(Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x, Tensor<T> alpha)
    {
        var check = Check(nameof(PReLUBackward));
        var (_, features) = check.Matrix(x, nameof(x));
        check.SameShape(dy, nameof(dy), x, nameof(x));
        check.SameShape(dx, nameof(dx), x, nameof(x));
        check.Length(alpha, nameof(alpha), features, "one slope per column of 'x'");
        check.Length(dAlpha, nameof(dAlpha), features, "one per column of 'x'");
        if (features > 0) PReLUBackwardCore(dx, dAlpha, dy, x, alpha);
    }

    /// <inheritdoc/>
    public void SoftmaxForward(Tensor<T> y, Tensor<T> x)
    {
        var check = Check(nameof(SoftmaxForward));
        check.Matrix(x, nameof(x));
        check.SameShape(y, nameof(y), x, nameof(x));
        if (x.Length > 0) SoftmaxForwardCore(y, x);
    }

    private static void CheckActivation(OpCheck check, Activation activation, string name)
    {
        if (!Enum.IsDefined(activation.Kind)) throw check.Fail(name, $"has unknown kind {(int)activation.Kind}");
        // The name is built only on failure: validation allocates nothing on the hot path.
        if (!double.IsFinite(activation.Alpha)) check.Finite(activation.Alpha, name + ".Alpha");
        if (activation.Kind == ActivationKind.Elu && activation.Alpha < 0)
            throw check.Fail(name, $"is ELU with a negative alpha {activation.Alpha}");
    }

    /// <summary>Validated <see cref="Gemm"/> with M, N &gt; 0; <paramref name="k"/> is the inner dimension (may be 0).</summary>
    protected abstract void GemmCore(Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB,
        T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k);
    /// <summary>Validated <see cref="ActivationForward"/>, non-empty.</summary>
    protected abstract void ActivationForwardCore(Tensor<T> y, Tensor<T> x, Activation activation);
    /// <summary>Validated <see cref="ActivationBackward"/>, non-empty.</summary>
    protected abstract void ActivationBackwardCore(Tensor<T> dx, Tensor<T> dy, Tensor<T> x, Tensor<T> y, Activation activation);
    /// <summary>Validated <see cref="PReLUForward"/>, non-empty.</summary>
    protected abstract void PReLUForwardCore(Tensor<T> y, Tensor<T> x, Tensor<T> alpha);
    /// <summary>Validated <see cref="PReLUBackward"/>, at least one feature (rows may be 0: dα = 0).</summary>
    protected abstract void PReLUBackwardCore(Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x, Tensor<T> alpha);
    /// <summary>Validated <see cref="SoftmaxForward"/>, non-empty.</summary>
    protected abstract void SoftmaxForwardCore(Tensor<T> y, Tensor<T> x);
}
