namespace CudaNet;

public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void Fill(Tensor<T> x, double value)
    {
        Check(nameof(Fill)).Tensor(x, nameof(x));
        if (x.Length > 0) FillCore(x, Cast(value));
    }

    /// <inheritdoc/>
    public void Copy(Tensor<T> y, Tensor<T> x)
    {
        var check = Check(nameof(Copy));
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        if (x.Length > 0) CopyCore(y, x);
    }

    /// <inheritdoc/>
    public void Scale(Tensor<T> y, Tensor<T> x, double alpha)
    {
        var check = Check(nameof(Scale));
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        check.SameOrDisjoint(y, nameof(y), x, nameof(x));
        check.Finite(alpha, nameof(alpha));
        if (x.Length > 0) ScaleCore(y, x, Cast(alpha));
    }

    /// <inheritdoc/>
    public void Axpy(Tensor<T> y, Tensor<T> x, double alpha)
    {
        var check = Check(nameof(Axpy));
        check.Tensor(x, nameof(x));
        check.Length(y, nameof(y), x.Length, "as many as 'x'");
        check.SameOrDisjoint(y, nameof(y), x, nameof(x));
        check.Finite(alpha, nameof(alpha));
        if (x.Length > 0) AxpyCore(y, x, Cast(alpha));
    }

    /// <inheritdoc/>
    public void SquaredNorm(Tensor<T> result, Tensor<T> x)
    {
        var check = Check(nameof(SquaredNorm));
        check.Tensor(x, nameof(x));
        check.Length(result, nameof(result), 1, "a scalar");
        SquaredNormCore(result, x);
    }

    /// <inheritdoc/>
    public void ColumnSum(Tensor<T> y, Tensor<T> x)
    {
        var check = Check(nameof(ColumnSum));
        var (_, features) = check.Matrix(x, nameof(x));
        check.Length(y, nameof(y), features, "one per column of 'x'");
        if (features > 0) ColumnSumCore(y, x);
    }

    /// <inheritdoc/>
    public void RowSum(Tensor<T> y, Tensor<T> x)
    {
        var check = Check(nameof(RowSum));
        var (rows, _) = check.Matrix(x, nameof(x));
        check.Length(y, nameof(y), rows, "one per row of 'x'");
        if (rows > 0) RowSumCore(y, x);
    }

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> y, Tensor<T> x, Tensor<int> indices)
    {
        var check = Check(nameof(GatherRows));
        var (_, features) = check.Matrix(x, nameof(x));
        var (batch, yFeatures) = check.Matrix(y, nameof(y));
        if (yFeatures != features) throw check.Fail(nameof(y), $"has {yFeatures} columns but 'x' has {features}");
        check.Length(indices, nameof(indices), batch, "one per row of 'y'");
        check.NoOverlap(y, nameof(y), x, nameof(x));
        if (batch > 0) GatherRowsCore(y, x, indices);
    }

    /// <inheritdoc/>
    public void ArgMaxCountCorrect(Tensor<int> correct, Tensor<T> logits, Tensor<int> labels)
    {
        var check = Check(nameof(ArgMaxCountCorrect));
        var (rows, classes) = check.Matrix(logits, nameof(logits));
        if (classes == 0) throw check.Fail(nameof(logits), "has no classes (0 columns)");
        check.Length(correct, nameof(correct), 1, "a counter");
        check.Length(labels, nameof(labels), rows, "one per row of 'logits'");
        if (rows > 0) ArgMaxCountCorrectCore(correct, logits, labels);
    }

    /// <summary>Validated <see cref="Fill"/>, non-empty.</summary>
    protected abstract void FillCore(Tensor<T> x, T value);
    /// <summary>Validated <see cref="Copy"/>, non-empty.</summary>
    protected abstract void CopyCore(Tensor<T> y, Tensor<T> x);
    /// <summary>Validated <see cref="Scale"/>, non-empty.</summary>
    protected abstract void ScaleCore(Tensor<T> y, Tensor<T> x, T alpha);
    /// <summary>Validated <see cref="Axpy"/>, non-empty.</summary>
    protected abstract void AxpyCore(Tensor<T> y, Tensor<T> x, T alpha);
    /// <summary>Validated <see cref="SquaredNorm"/> (x may be empty: the result is 0).</summary>
    protected abstract void SquaredNormCore(Tensor<T> result, Tensor<T> x);
    /// <summary>Validated <see cref="ColumnSum"/> (x may have no rows: the result is 0).</summary>
    protected abstract void ColumnSumCore(Tensor<T> y, Tensor<T> x);
    /// <summary>Validated <see cref="RowSum"/> (x may have no columns: the result is 0).</summary>
    protected abstract void RowSumCore(Tensor<T> y, Tensor<T> x);
    /// <summary>Validated <see cref="GatherRows"/>; throws <see cref="ArgumentOutOfRangeException"/> for an index
    /// outside the rows of x where the backend can see it.</summary>
    protected abstract void GatherRowsCore(Tensor<T> y, Tensor<T> x, Tensor<int> indices);
    /// <summary>Validated <see cref="ArgMaxCountCorrect"/>, at least one row.</summary>
    protected abstract void ArgMaxCountCorrectCore(Tensor<int> correct, Tensor<T> logits, Tensor<int> labels);
}
