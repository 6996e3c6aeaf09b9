using System.Runtime.InteropServices;

namespace CudaNet.IO;

/// <summary>Element types of the safetensors format that CudaNet reads and writes.</summary>
public enum SafeTensorDType
{
    /// <summary>32-bit IEEE float ("F32").</summary>
    F32,
    /// <summary>64-bit IEEE float ("F64").</summary>
    F64,
    /// <summary>32-bit signed integer ("I32").</summary>
    I32,
    /// <summary>64-bit signed integer ("I64"), e.g. <c>num_batches_tracked</c>.</summary>
    I64,
    /// <summary>Unsigned byte ("U8").</summary>
    U8,
}

/// <summary>One named tensor of a safetensors file: element type, shape and little-endian C-order bytes.</summary>
public sealed class SafeTensorEntry
{
    /// <summary>Creates an entry; the byte count must match dtype and shape.</summary>
    public SafeTensorEntry(SafeTensorDType dtype, int[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (!Enum.IsDefined(dtype)) throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "SafeTensorEntry: unknown dtype.");
        long elements = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"SafeTensorEntry: shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            elements *= d;
        }
        if (elements * ElementSize(dtype) != data.Length)
            throw new ArgumentException($"SafeTensorEntry: {data.Length} bytes do not match {dtype} [{string.Join(", ", shape)}].", nameof(data));
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>Element type.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>Dimensions, outermost first; [] is a scalar (one element), as PyTorch writes <c>num_batches_tracked</c>.</summary>
    public int[] Shape { get; }

    /// <summary>Raw little-endian bytes.</summary>
    public byte[] Data { get; }

    /// <summary>Entry holding a copy of <paramref name="values"/>.</summary>
    public static SafeTensorEntry FromFloats(ReadOnlySpan<float> values, params int[] shape) =>
        new(SafeTensorDType.F32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Entry holding a copy of <paramref name="values"/>.</summary>
    public static SafeTensorEntry FromDoubles(ReadOnlySpan<double> values, params int[] shape) =>
        new(SafeTensorDType.F64, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Entry holding a copy of <paramref name="values"/>.</summary>
    public static SafeTensorEntry FromInt64s(ReadOnlySpan<long> values, params int[] shape) =>
        new(SafeTensorDType.I64, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The elements as floats; throws when the dtype is not F32.</summary>
    public float[] ToFloats() => As<float>(SafeTensorDType.F32);

    /// <summary>The elements as doubles; throws when the dtype is not F64.</summary>
    public double[] ToDoubles() => As<double>(SafeTensorDType.F64);

    /// <summary>The elements as longs; throws when the dtype is not I64.</summary>
    public long[] ToInt64s() => As<long>(SafeTensorDType.I64);

    private TElement[] As<TElement>(SafeTensorDType expected) where TElement : unmanaged
    {
        if (DType != expected) throw new InvalidDataException($"Tensor has dtype {DType}, not {expected}.");
        // The format is little-endian, like every platform .NET runs CudaNet on.
        return MemoryMarshal.Cast<byte, TElement>(Data).ToArray();
    }

    internal static int ElementSize(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 or SafeTensorDType.I32 => 4,
        SafeTensorDType.F64 or SafeTensorDType.I64 => 8,
        _ => 1,
    };
}
