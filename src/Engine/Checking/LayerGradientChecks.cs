namespace CudaNet;

/// <summary>
/// The float64 gradient check of every built-in layer through <see cref="LayerGradientCheck"/> (the layer section of
/// <c>cudanet gradcheck</c>): training-mode forward and backward, with respect to the input and every parameter,
/// stochastic layers with a fixed draw.
/// </summary>
public static class LayerGradientChecks
{
    private const int Rows = 5, Features = 6;

    /// <summary>The layers checked, with the input features each receives.</summary>
    public static IReadOnlyList<(string Name, Layer Layer, int InputFeatures)> Layers { get; } =
    [
        ("Dense(7→6)", new Dense(7, Features), 7),
        ("Dense(7→6, weight noise 0.1)", new Dense(7, Features, weightNoise: 0.1), 7),
        ("BatchNorm(6)", new BatchNorm(Features), Features),
        ("Dropout(0.3)", new Dropout(0.3), Features),
        ("ReLU", new ReLU(), Features),
        ("LeakyReLU(0.1)", new LeakyReLU(0.1), Features),
        ("Sigmoid", new Sigmoid(), Features),
        ("Tanh", new Tanh(), Features),
        ("Elu(1)", new Elu(), Features),
        ("Gelu", new Gelu(), Features),
        ("LayerNorm(6)", new LayerNorm(Features), Features),
        ("GroupNorm(3, 6)", new GroupNorm(3, Features), Features),
        ("PReLU(6)", new PReLU(Features), Features),
        ("Softmax", new Softmax(), Features),
        ("GaussianNoise(0.5)", new GaussianNoise(0.5), Features),
        ("DropConnect(7→6, p 0.3, tanh)", new DropConnect(7, Features, 0.3, activation: Activation.Tanh), 7),
        ("DropConnect(7→6, p 0.5, ReLU)", new DropConnect(7, Features, 0.5), 7),
    ];

    /// <summary>Runs every layer check on <paramref name="backend"/>; one row per (layer, input or parameter).</summary>
    public static IReadOnlyList<OpGradientCheckRow> Run(IBackend<double> backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return Layers.SelectMany(l => LayerGradientCheck.Run(backend, l.Layer, l.InputFeatures, Rows)
            .Select(r => new OpGradientCheckRow($"Layer {l.Name}", r.Input, r.Result))).ToArray();
    }
}
