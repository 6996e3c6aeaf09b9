namespace CudaNet;

/// <summary>
/// A row-major tensor: a shape and an element range of a backend's <see cref="TensorStorage"/>.
/// A batch is <c>[N, F]</c> (rows are examples). Views (<see cref="View"/>, <see cref="Reshape"/>) share the
/// storage and do not own it: disposing a view is a no-op, disposing the owner frees the memory.
/// </summary>
/// <typeparam name="T">Element type (float, double, int, byte, …).</typeparam>
public sealed class Tensor<T> : IDisposable where T : unmanaged
{
    private readonly int[] _shape;
    private readonly bool _ownsStorage;

    internal Tensor(TensorStorage storage, int offset, int[] shape, bool ownsStorage)
    {
        Storage = storage;
        Offset = offset;
        _shape = shape;
        Length = ShapeLength(shape);
        _ownsStorage = ownsStorage;
    }

    /// <summary>The buffer this tensor reads and writes.</summary>
    public TensorStorage Storage { get; }

    /// <summary>Offset of the first element inside <see cref="Storage"/>, in elements.</summary>
    public int Offset { get; }

    /// <summary>Number of elements (the product of the shape).</summary>
    public int Length { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Size of the first dimension (1 for a scalar).</summary>
    public int Rows => _shape.Length == 0 ? 1 : _shape[0];

    /// <summary>Product of every dimension after the first (the features of a batch).</summary>
    public int Columns => _shape.Length == 0 ? 1 : Rows == 0 ? ShapeLength(_shape.AsSpan(1)) : Length / Rows;

    /// <summary>Whether this tensor frees its storage when disposed.</summary>
    public bool OwnsStorage => _ownsStorage;

    /// <summary>A non-owning view of product(<paramref name="shape"/>) elements
    /// starting <paramref name="offset"/> elements into this tensor.</summary>
    public Tensor<T> View(int offset, params int[] shape)
    {
        int length = ShapeLength(shape);
        if (offset < 0 || length > Length - offset)
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"View [{offset}, {offset}+{length}) lies outside a tensor of {Length} elements.");
        return new Tensor<T>(Storage, Offset + offset, (int[])shape.Clone(), ownsStorage: false);
    }

    /// <summary>A non-owning view of the same elements with another shape of the same length.</summary>
    public Tensor<T> Reshape(params int[] shape)
    {
        if (ShapeLength(shape) != Length)
            throw new ArgumentException(
                $"Cannot reshape {ShapeText(_shape)} ({Length} elements) to {ShapeText(shape)}.", nameof(shape));
        return View(0, shape);
    }

    /// <summary>Frees the storage when this tensor owns it; harmless to call twice.</summary>
    public void Dispose()
    {
        if (_ownsStorage) Storage.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor<{typeof(T).Name}>{ShapeText(_shape)}";

    internal static int ShapeLength(ReadOnlySpan<int> shape)
    {
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Dimension {d} is negative in shape {ShapeText(shape)}.");
            length *= d;
            if (length > int.MaxValue)
                throw new ArgumentException($"Shape {ShapeText(shape)} has more than {int.MaxValue} elements.");
        }
        return (int)length;
    }

    internal static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
