using System.Numerics;

namespace CudaNet;

/// <summary>
/// Parametric ReLU with one learnable slope per feature, PyTorch <c>nn.PReLU(num_parameters = features)</c>:
/// y = x for x &gt; 0, else α[f]·x. State-dict name: weight (α, starts at <see cref="Init"/>); like PyTorch's
/// recommendation the slopes are not decayed (role <see cref="ParameterRole.Normalization"/>).
/// </summary>
public sealed class PReLU : FeatureLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="features">F (&gt; 0), one slope each.</param>
    /// <param name="init">Initial slope (finite, PyTorch 0.25).</param>
    public PReLU(int features, double init = 0.25)
        : base(features)
    {
        if (!double.IsFinite(init)) throw new ArgumentOutOfRangeException(nameof(init), init, "PReLU: init must be finite.");
        Init = init;
    }

    /// <summary>Initial slope.</summary>
    public double Init { get; }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context)
    {
        RequireInput(context.InputFeatures, Features);
        return new Runtime<T>(this, context);
    }

    private sealed class Runtime<T> : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly IBackend<T> _backend;
        private readonly Parameter<T> _alpha;
        private readonly RowScratch<T> _inputGradient;
        private readonly bool _isFirst;

        public Runtime(PReLU layer, LayerContext<T> context)
        {
            (_backend, OutputFeatures, _isFirst) = (context.Backend, layer.Features, context.Index == 0);
            _alpha = context.AddParameter("weight", [layer.Features], ParameterRole.Normalization, Initializer.Constant(layer.Init),
                layer.Features, layer.Features);
            // The backward op always writes dx; only the model's first layer is called without one.
            _inputGradient = new RowScratch<T>(_backend, layer.Features);
        }

        public override int OutputFeatures { get; }

        public override void Reserve(int maxRows)
        {
            if (_isFirst) _inputGradient.Reserve(maxRows);
        }

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training) => _backend.PReLUForward(y, x, _alpha.Value);

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx) =>
            _backend.PReLUBackward(dx ?? _inputGradient.Rows(x.Rows), _alpha.Gradient, dy, x, _alpha.Value);

        protected override void Dispose(bool disposing) => _inputGradient.Dispose();
    }
}
