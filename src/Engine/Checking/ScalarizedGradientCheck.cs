namespace CudaNet;

/// <summary>
/// Gradient-checks an op given as a forward and a backward on an <see cref="IBackend{T}"/> of doubles: the scalar
/// is f = Σ r ⊙ forward(inputs) for a fixed random r, whose analytic gradient is the backward pass with dy = r.
/// Use it to check a layer of your own the way the built-in ops are checked.
/// </summary>
public sealed class ScalarizedGradientCheck
{
    private readonly IBackend<double> _backend;
    private readonly List<(string Name, double[] Data, int[] Shape, bool Differentiable)> _inputs = [];

    /// <summary>Starts a check on <paramref name="backend"/>.</summary>
    public ScalarizedGradientCheck(IBackend<double> backend) => _backend = backend ?? throw new ArgumentNullException(nameof(backend));

    /// <summary>Adds an input; <paramref name="differentiable"/> false for inputs that are held fixed.</summary>
    public ScalarizedGradientCheck Input(string name, double[] data, int[] shape, bool differentiable = true)
    {
        _inputs.Add((name, data, shape, differentiable));
        return this;
    }

    /// <summary>
    /// Runs the check. <paramref name="forward"/>(inputs, output) writes the op's output;
    /// <paramref name="backward"/>(inputs, dy, gradients) writes one gradient per input (null entries for
    /// non-differentiable inputs may be left untouched).
    /// </summary>
    /// <returns>One result per differentiable input, named after it.</returns>
    public IReadOnlyList<(string Input, GradientCheckResult Result)> Run(int[] outputShape,
        Action<Tensor<double>[], Tensor<double>> forward, Action<Tensor<double>[], Tensor<double>, Tensor<double>[]> backward,
        int seed = 1234, double eps = GradientCheck.DefaultEps, double atol = GradientCheck.DefaultAtol,
        double rtol = GradientCheck.DefaultRtol)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(backward);
        var tensors = _inputs.Select(i => _backend.FromArray(i.Data, i.Shape)).ToArray();
        var gradients = _inputs.Select(i => _backend.Allocate<double>(i.Shape)).ToArray();
        using var output = _backend.Allocate<double>(outputShape);
        using var dy = _backend.Allocate<double>(outputShape);
        try
        {
            var random = new Random(seed);
            var r = new double[output.Length];
            for (int i = 0; i < r.Length; i++) r[i] = random.NextDouble() * 2 - 1;
            _backend.Upload(dy, r);
            var outputHost = new double[output.Length];

            forward(tensors, output);
            backward(tensors, dy, gradients);

            var results = new List<(string, GradientCheckResult)>();
            for (int k = 0; k < _inputs.Count; k++)
            {
                if (!_inputs[k].Differentiable) continue;
                var analytic = _backend.ToArray(gradients[k]);
                var x = (double[])_inputs[k].Data.Clone();
                var target = tensors[k];
                double F()
                {
                    _backend.Upload(target, x);
                    forward(tensors, output);
                    _backend.Download(output, outputHost);
                    double sum = 0;
                    for (int i = 0; i < r.Length; i++) sum += r[i] * outputHost[i];
                    return sum;
                }
                results.Add((_inputs[k].Name, GradientCheck.Check(x, analytic, F, eps, atol, rtol)));
                _backend.Upload(target, _inputs[k].Data);
            }
            return results;
        }
        finally
        {
            foreach (var t in tensors) t.Dispose();
            foreach (var g in gradients) g.Dispose();
        }
    }
}
