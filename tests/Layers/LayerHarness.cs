using System.Numerics;
using CudaNet.Cpu;

namespace CudaNet.Tests.Layers;

/// <summary>One layer built and laid out on its own (as the first layer of a network with the given index), so tests
/// can set its parameters, run it in either mode and read the input gradient that a network never asks layer 0 for.</summary>
internal sealed class LayerHarness<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T> _parameters, _gradients;
    private readonly Tensor<T>? _buffers;
    private readonly (string Name, Parameter<T> Parameter)[] _named;

    public LayerHarness(IBackend<T> backend, Layer layer, int inputFeatures, ulong seed = 42, int index = 1)
    {
        Backend = backend;
        var context = new LayerContext<T>(backend, index, inputFeatures, seed);
        Runtime = layer.Build(context);
        (_parameters, _gradients, _, _named) = Network<T>.LayOutParameters(backend, [context]);
        (_buffers, _) = Network<T>.LayOutBuffers(backend, [context]);
        Network<T>.InitializeParameters(backend, _named, seed);
        InputFeatures = inputFeatures;
    }

    public IBackend<T> Backend { get; }
    public LayerRuntime<T> Runtime { get; }
    public int InputFeatures { get; }
    public IEnumerable<string> ParameterNames => _named.Select(n => n.Name);

    public Parameter<T> Parameter(string name) => _named.Single(n => n.Name.EndsWith("." + name, StringComparison.Ordinal)).Parameter;

    public void Set(string name, double[] values) => Backend.Upload(Parameter(name).Value, values.Select(T.CreateChecked).ToArray());

    public double[] Value(string name) => Backend.ToArray(Parameter(name).Value).Select(double.CreateChecked).ToArray();

    public double[] Gradient(string name) => Backend.ToArray(Parameter(name).Gradient).Select(double.CreateChecked).ToArray();

    public double[] Forward(double[] x, bool training) => Run(x, training, dy: null).Y;

    /// <summary>Forward in training mode, then backward with dy; returns y and dx.</summary>
    public (double[] Y, double[] Dx) Run(double[] x, bool training, double[]? dy)
    {
        int rows = x.Length / InputFeatures;
        Runtime.Reserve(rows);
        using var xt = Backend.FromArray(x.Select(T.CreateChecked).ToArray(), rows, InputFeatures);
        using var y = Backend.Allocate<T>(rows, Runtime.OutputFeatures);
        Runtime.Forward(xt, y, training);
        var ys = Backend.ToArray(y).Select(double.CreateChecked).ToArray();
        if (dy is null) return (ys, []);
        using var dyt = Backend.FromArray(dy.Select(T.CreateChecked).ToArray(), rows, Runtime.OutputFeatures);
        using var dx = Backend.Allocate<T>(rows, InputFeatures);
        Runtime.Backward(xt, y, dyt, dx);
        return (ys, Backend.ToArray(dx).Select(double.CreateChecked).ToArray());
    }

    public void Dispose()
    {
        Runtime.Dispose();
        _parameters.Dispose();
        _gradients.Dispose();
        _buffers?.Dispose();
    }
}

internal static class Backends
{
    /// <summary>The float64 CPU backends every layer test runs on.</summary>
    public static IEnumerable<CpuKernels> Kernels => [CpuKernels.Reference, CpuKernels.Simd];
}
