namespace CudaNet;

public abstract partial class BackendBase<T>
{
    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<int> labels,
        double labelSmoothing = 0)
    {
        var check = Check(nameof(SoftmaxCrossEntropy));
        var (rows, classes) = check.Matrix(logits, nameof(logits));
        if (rows == 0) throw check.Fail(nameof(logits), "is an empty batch (0 rows): the mean loss is undefined");
        if (classes == 0) throw check.Fail(nameof(logits), "has no classes (0 columns)");
        check.Length(loss, nameof(loss), 1, "a scalar");
        check.Length(labels, nameof(labels), rows, "one per row of 'logits'");
        if (dLogits is not null) check.SameShape(dLogits, nameof(dLogits), logits, nameof(logits));
        check.InRange(labelSmoothing, nameof(labelSmoothing), 0, 1);
        SoftmaxCrossEntropyCore(loss, dLogits, logits, labels, Cast(labelSmoothing));
    }

    /// <inheritdoc/>
    public void MseLoss(Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction, Tensor<T> target)
    {
        var check = Check(nameof(MseLoss));
        CheckPointwiseLoss(check, loss, dPrediction, nameof(dPrediction), prediction, nameof(prediction), target);
        MseLossCore(loss, dPrediction, prediction, target);
    }

    /// <inheritdoc/>
    public void BinaryCrossEntropyWithLogits(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<T> target)
    {
        var check = Check(nameof(BinaryCrossEntropyWithLogits));
        CheckPointwiseLoss(check, loss, dLogits, nameof(dLogits), logits, nameof(logits), target);
        BinaryCrossEntropyWithLogitsCore(loss, dLogits, logits, target);
    }

    private static void CheckPointwiseLoss(OpCheck check, Tensor<T> loss, Tensor<T>? gradient, string gradientName,
        Tensor<T> input, string inputName, Tensor<T> target)
    {
        check.Tensor(input, inputName);
        if (input.Length == 0) throw check.Fail(inputName, "is empty: the mean loss is undefined");
        check.SameShape(target, nameof(target), input, inputName);
        check.Length(loss, nameof(loss), 1, "a scalar");
        if (gradient is not null) check.SameShape(gradient, gradientName, input, inputName);
    }

    /// <summary>Validated <see cref="SoftmaxCrossEntropy"/>, N, C ≥ 1; throws
    /// <see cref="ArgumentOutOfRangeException"/> for a label outside [0, C) where the backend can see it.</summary>
    protected abstract void SoftmaxCrossEntropyCore(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits,
        Tensor<int> labels, T labelSmoothing);
    /// <summary>Validated <see cref="MseLoss"/>, non-empty.</summary>
    protected abstract void MseLossCore(Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction, Tensor<T> target);
    /// <summary>Validated <see cref="BinaryCrossEntropyWithLogits"/>, non-empty.</summary>
    protected abstract void BinaryCrossEntropyWithLogitsCore(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits,
        Tensor<T> target);
}
