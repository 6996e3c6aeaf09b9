using System.Numerics;

namespace CudaNet;

/// <summary>
/// Float64 gradient check of a whole layer (its training-mode forward and backward), the way
/// <see cref="OpGradientChecks"/> checks single ops: f = Σ r ⊙ layer(x) for a fixed random r, differentiated with
/// respect to the input and to every parameter (at their initial values) by central differences. Stochastic layers
/// are checked with one fixed mask or noise draw: every counter is reset to its initial value before each forward
/// pass, so every evaluation reuses the same Philox offset.
/// </summary>
public static class LayerGradientCheck
{
    /// <summary>Checks <paramref name="layer"/> on a batch of <paramref name="rows"/> examples of
    /// <paramref name="inputFeatures"/> features drawn from U(-2, 2) (kept 0.05 away from 0, where ReLU-like
    /// functions have kinks), parameters initialised from <paramref name="seed"/> as a one-layer network would be.</summary>
    /// <returns>One result for the input ("x") and one per parameter, named as in the layer's state dict.</returns>
    public static IReadOnlyList<(string Input, GradientCheckResult Result)> Run(IBackend<double> backend, Layer layer,
        int inputFeatures, int rows, ulong seed = 42)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(layer);
        if (inputFeatures < 1)
            throw new ArgumentOutOfRangeException(nameof(inputFeatures), inputFeatures, "LayerGradientCheck: inputFeatures must be >= 1.");
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "LayerGradientCheck: rows must be >= 1.");

        var context = new LayerContext<double>(backend, 0, inputFeatures, seed);
        using var runtime = layer.Build(context);
        var (parameters, gradients, _, named) = Network<double>.LayOutParameters(backend, [context]);
        var (buffers, _) = Network<double>.LayOutBuffers(backend, [context]);
        using var scratch = backend.Allocate<double>(rows, runtime.OutputFeatures);
        try
        {
            Network<double>.InitializeParameters(backend, named, seed);
            runtime.Reserve(rows);
            var counters = runtime.Counters.ToArray();
            void Forward(Tensor<double>[] inputs, Tensor<double> y)
            {
                for (int k = 0; k < named.Length; k++) backend.Copy(named[k].Item2.Value, inputs[k + 1]);
                foreach (var counter in counters) runtime.SetCounter(counter.Name, counter.Value);
                runtime.Forward(inputs[0], y, training: true);
            }

            var check = new ScalarizedGradientCheck(backend).Input("x", Uniform(seed, rows * inputFeatures), [rows, inputFeatures]);
            // Names without the "0." prefix a one-layer network would give them.
            foreach (var (name, parameter) in named)
                check.Input(name[(name.IndexOf('.') + 1)..], backend.ToArray(parameter.Value), parameter.Shape);
            return check.Run([rows, runtime.OutputFeatures], Forward, (inputs, dy, g) =>
            {
                Forward(inputs, scratch);
                runtime.Backward(inputs[0], scratch, dy, g[0]);
                for (int k = 0; k < named.Length; k++) backend.Copy(g[k + 1], named[k].Item2.Gradient);
            });
        }
        finally
        {
            parameters.Dispose();
            gradients.Dispose();
            buffers?.Dispose();
        }
    }

    private static double[] Uniform(ulong seed, int count)
    {
        var random = new HostRandom(seed, 1);
        var data = new double[count];
        for (int i = 0; i < count; i++)
        {
            double v = 4 * random.NextDouble() - 2;
            data[i] = Math.Abs(v) < 0.05 ? v + 0.1 * Math.Sign(v + 1e-300) : v;
        }
        return data;
    }
}
