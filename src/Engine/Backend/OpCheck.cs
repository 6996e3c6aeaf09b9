namespace CudaNet;

/// <summary>
/// Up-front argument validation shared by every backend, so that the CPU and CUDA backends reject exactly the
/// same calls with the same messages: "<c>Op: argument 'name' …</c>".
/// </summary>
internal readonly struct OpCheck(object backend, string op)
{
    /// <summary>The op's name, as messages start.</summary>
    public string Op => op;

    public ArgumentException Fail(string argument, string problem) => new($"{op}: argument '{argument}' {problem}.", argument);

    /// <summary>Not null, allocated by this backend, not yet disposed.</summary>
    public Tensor<TElement> Tensor<TElement>(Tensor<TElement>? tensor, string name) where TElement : unmanaged
    {
        if (tensor is null) throw new ArgumentNullException(name, $"{op}: argument '{name}' is null.");
        if (!ReferenceEquals(tensor.Storage.Owner, backend))
            throw Fail(name, "belongs to another backend");
        if (tensor.Storage.IsDisposed) throw new ObjectDisposedException(name, $"{op}: argument '{name}' has been disposed.");
        return tensor;
    }

    /// <summary>A rank-2 tensor; returns (rows, columns).</summary>
    public (int Rows, int Columns) Matrix<TElement>(Tensor<TElement>? tensor, string name) where TElement : unmanaged
    {
        Tensor(tensor, name);
        if (tensor!.Rank != 2)
            throw Fail(name, $"must be a matrix (rank 2) but has shape {CudaNet.Tensor<TElement>.ShapeText(tensor.Shape)}");
        return (tensor.Shape[0], tensor.Shape[1]);
    }

    /// <summary>A tensor of exactly <paramref name="length"/> elements.</summary>
    public void Length<TElement>(Tensor<TElement>? tensor, string name, int length, string meaning) where TElement : unmanaged
    {
        Tensor(tensor, name);
        if (tensor!.Length != length)
            throw Fail(name, $"must have {length} elements ({meaning}) but has {tensor.Length}");
    }

    /// <summary>A tensor with the same shape as <paramref name="like"/>.</summary>
    public void SameShape<TElement>(Tensor<TElement>? tensor, string name, Tensor<TElement> like, string likeName) where TElement : unmanaged
    {
        Tensor(tensor, name);
        if (!tensor!.Shape.SequenceEqual(like.Shape))
            throw Fail(name, $"has shape {CudaNet.Tensor<TElement>.ShapeText(tensor.Shape)} but '{likeName}' has " +
                             CudaNet.Tensor<TElement>.ShapeText(like.Shape));
    }

    /// <summary>Output and input must not share elements (ops that read inputs after writing outputs).</summary>
    public void NoOverlap<TElement>(Tensor<TElement> output, string outputName, Tensor<TElement> input, string inputName)
        where TElement : unmanaged
    {
        bool overlap = ReferenceEquals(output.Storage, input.Storage) && output.Length > 0 && input.Length > 0 &&
                       output.Offset < input.Offset + input.Length && input.Offset < output.Offset + output.Length;
        if (overlap) throw Fail(outputName, $"overlaps input '{inputName}'");
    }

    /// <summary>Elementwise ops may run in place (output is input) but not on partly overlapping views, whose
    /// result would depend on the order the backend visits elements.</summary>
    public void SameOrDisjoint<TElement>(Tensor<TElement> output, string outputName, Tensor<TElement> input, string inputName)
        where TElement : unmanaged
    {
        bool same = ReferenceEquals(output.Storage, input.Storage) && output.Offset == input.Offset;
        if (!same) NoOverlap(output, outputName, input, inputName);
    }

    public void Finite(double value, string name)
    {
        if (!double.IsFinite(value)) throw Fail(name, $"must be finite but is {value}");
    }

    /// <summary>lo ≤ value ≤ hi (or &lt; hi when <paramref name="hiExclusive"/>).</summary>
    public void InRange(double value, string name, double lo, double hi, bool hiExclusive = false)
    {
        bool ok = value >= lo && (hiExclusive ? value < hi : value <= hi);
        if (!ok) throw Fail(name, $"must be in [{lo}, {hi}{(hiExclusive ? ")" : "]")} but is {value}");
    }

    public void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsPositiveInfinity(value)) throw Fail(name, $"must be finite and >= 0 but is {value}");
    }

    public void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsPositiveInfinity(value)) throw Fail(name, $"must be finite and > 0 but is {value}");
    }
}
