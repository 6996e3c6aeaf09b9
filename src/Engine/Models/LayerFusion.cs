using System.Numerics;

namespace CudaNet;

/// <summary>
/// The one place that decides which layers run fused (DESIGN.md §2: fused where it saves a pass). A
/// <see cref="BatchNorm"/> immediately followed by a ReLU runs as one batch-norm op with the ReLU applied in its
/// normalising pass, y = max(BN(x), 0), and its backward masks dy with that output; the ReLU's runtime does
/// nothing, and whoever lays out activations (<see cref="Network{T}"/>'s arena, a <see cref="Predictor{T}"/>'s
/// inference contexts) gives its output slot the storage of its input slot, and its input gradient the storage of
/// its output gradient. The model, its layer indices and its state-dict names are untouched: only runtimes change,
/// and every result is bit-identical to running the two layers one after the other.
/// </summary>
internal static class LayerFusion
{
    /// <summary>Whether layer <paramref name="index"/> is a ReLU folded into the BatchNorm before it, so its output
    /// (and input gradient) share the storage of its input (and output gradient).</summary>
    public static bool FusedIntoPrevious(IReadOnlyList<Layer> layers, int index) =>
        index > 0 && layers[index - 1] is BatchNorm && IsReLU(layers[index]);

    /// <summary>Builds layer <paramref name="index"/>'s runtime in <paramref name="context"/>: a fused ReLU gets a
    /// runtime that does nothing, a BatchNorm before it learns that it applies the ReLU.</summary>
    public static LayerRuntime<T> Build<T>(IReadOnlyList<Layer> layers, int index, LayerContext<T> context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (FusedIntoPrevious(layers, index)) return new FusedAway<T>(context.InputFeatures);
        if (index + 1 < layers.Count && FusedIntoPrevious(layers, index + 1)) context.FusedActivation = Activation.ReLU;
        return layers[index].Build(context);
    }

    // Exact types only: a user's subclass of ActivationLayer may override Build, and fusing would skip its runtime.
    private static bool IsReLU(Layer layer) =>
        layer is ReLU || (layer.GetType() == typeof(ActivationLayer) && ((ActivationLayer)layer).Activation.Kind == ActivationKind.ReLU);

    /// <summary>The runtime of a layer whose work the previous layer does: its output is its input and its input
    /// gradient its output gradient (the same arena storage), so there is nothing to compute or copy.</summary>
    private sealed class FusedAway<T>(int features) : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override int OutputFeatures => features;

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training)
        {
        }

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
        }
    }
}
