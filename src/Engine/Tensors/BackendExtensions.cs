using System.Numerics;

namespace CudaNet;

/// <summary>Convenience transfers between host arrays and tensors.</summary>
public static class BackendExtensions
{
    /// <summary>Allocates a tensor of the given shape holding a copy of <paramref name="data"/>.</summary>
    public static Tensor<TElement> FromArray<T, TElement>(this IBackend<T> backend, TElement[] data, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T> where TElement : unmanaged
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(data);
        var tensor = backend.Allocate<TElement>(shape.Length == 0 ? [data.Length] : shape);
        try
        {
            backend.Upload(tensor, data);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        return tensor;
    }

    /// <summary>Copies a tensor into a new host array.</summary>
    public static TElement[] ToArray<T, TElement>(this IBackend<T> backend, Tensor<TElement> tensor)
        where T : unmanaged, IFloatingPointIeee754<T> where TElement : unmanaged
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(tensor);
        var data = new TElement[tensor.Length];
        backend.Download(tensor, data);
        return data;
    }
}
