using System.Numerics;

namespace CudaNet;

/// <summary>
/// A stack of layers applied in order, PyTorch <c>nn.Sequential</c>: layer i's parameters are named
/// "i.weight", "i.bias", … in checkpoints, so a CudaNet model loads into the same PyTorch model.
/// </summary>
public sealed class Sequential
{
    /// <summary>Creates the model from its layers (at least one).</summary>
    public Sequential(params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("Sequential: needs at least one layer.", nameof(layers));
        for (int i = 0; i < layers.Length; i++)
            if (layers[i] is null) throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null.");
        Layers = layers;
        InputFeatures = layers.Select(l => l.InputFeatures).FirstOrDefault(f => f is not null)
            ?? throw new ArgumentException("Sequential: no layer fixes the input size; start with Dense or BatchNorm, " +
                                           "or pass inputFeatures when building.", nameof(layers));
        int features = InputFeatures;
        foreach (var layer in layers) features = layer.OutputFeatures(features);
        OutputFeatures = features;
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Features per example the model takes.</summary>
    public int InputFeatures { get; }

    /// <summary>Features per example the model produces.</summary>
    public int OutputFeatures { get; }

    /// <summary>Builds the model on <paramref name="backend"/>: parameters in flat buffers, initialised from
    /// <paramref name="seed"/>.</summary>
    public Network<T> Build<T>(IBackend<T> backend, ulong seed = 42) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(this, backend, seed);

    /// <summary>Builds the model and a training session with <paramref name="optimizer"/> and <paramref name="loss"/>.</summary>
    public TrainingSession<T> Compile<T>(IBackend<T> backend, Optimizer optimizer, Loss loss, ulong seed = 42)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Build(backend, seed), optimizer, loss, ownsNetwork: true);
}
