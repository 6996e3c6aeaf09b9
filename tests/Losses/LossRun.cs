using System.Numerics;

namespace CudaNet.Tests.Losses;

/// <summary>The three losses of IBackend, named for table-driven tests.</summary>
public enum PointwiseLoss
{
    /// <summary><see cref="IBackend{T}.MseLoss"/>.</summary>
    Mse,
    /// <summary><see cref="IBackend{T}.BinaryCrossEntropyWithLogits"/>.</summary>
    BinaryCrossEntropyWithLogits,
}

/// <summary>Runs a loss on host arrays: uploads, calls the op, downloads the scalar and the gradient.</summary>
public static class LossRun
{
    /// <summary>Softmax cross-entropy of row-major logits with one row per label; the gradient is null when
    /// <paramref name="withGradient"/> is false (dLogits passed as null).</summary>
    public static (T Loss, T[]? Gradient) SoftmaxCrossEntropy<T>(IBackend<T> backend, T[] logits, int[] labels,
        double labelSmoothing, bool withGradient = true) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = labels.Length, classes = logits.Length / rows;
        using var x = backend.FromArray(logits, rows, classes);
        using var y = backend.FromArray(labels, rows);
        using var loss = backend.Allocate<T>(1);
        using var dx = withGradient ? backend.Allocate<T>(rows, classes) : null;
        backend.SoftmaxCrossEntropy(loss, dx, x, y, labelSmoothing);
        return (backend.ToArray(loss)[0], dx is null ? null : backend.ToArray(dx));
    }

    /// <summary>MSE or BCE-with-logits of a flat input against a target of the same length.</summary>
    public static (T Loss, T[]? Gradient) Pointwise<T>(IBackend<T> backend, PointwiseLoss kind, T[] input, T[] target,
        bool withGradient = true) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var x = backend.FromArray(input, input.Length);
        using var t = backend.FromArray(target, target.Length);
        using var loss = backend.Allocate<T>(1);
        using var dx = withGradient ? backend.Allocate<T>(input.Length) : null;
        Call(backend, kind, loss, dx, x, t);
        return (backend.ToArray(loss)[0], dx is null ? null : backend.ToArray(dx));
    }

    /// <summary>Calls the op named by <paramref name="kind"/> on tensors.</summary>
    public static void Call<T>(IBackend<T> backend, PointwiseLoss kind, Tensor<T> loss, Tensor<T>? gradient,
        Tensor<T> input, Tensor<T> target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (kind == PointwiseLoss.Mse) backend.MseLoss(loss, gradient, input, target);
        else backend.BinaryCrossEntropyWithLogits(loss, gradient, input, target);
    }

    /// <summary>The op's name as it appears in argument errors.</summary>
    public static string OpName(PointwiseLoss kind) =>
        kind == PointwiseLoss.Mse ? nameof(IBackend<float>.MseLoss) : nameof(IBackend<float>.BinaryCrossEntropyWithLogits);

    /// <summary>The name of the op's input argument.</summary>
    public static string InputName(PointwiseLoss kind) => kind == PointwiseLoss.Mse ? "prediction" : "logits";

    /// <summary>Targets that suit the loss: anything for MSE, probabilities in [0, 1] for BCE.</summary>
    public static T[] Targets<T>(PointwiseLoss kind, int seed, int n) where T : INumberBase<T> =>
        kind == PointwiseLoss.Mse ? Support.TestData.Normal<T>(seed, n) : Support.TestData.Uniform<T>(seed, n, 0, 1);
}
