namespace CudaNet;

/// <summary>What one epoch measured. Losses are means over the examples; accuracies are fractions.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss (over the epoch's steps, in training mode).</param>
/// <param name="Accuracy">Training accuracy (null without class labels).</param>
/// <param name="ValidationLoss">Mean validation loss in evaluation mode (null without validation data).</param>
/// <param name="ValidationAccuracy">Validation accuracy.</param>
/// <param name="LearningRate">Learning rate of the epoch.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
/// <param name="SkippedSteps">Steps skipped because the loss or a gradient was not finite.</param>
public sealed record EpochMetrics(int Epoch, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy,
    double LearningRate, double Seconds, int SkippedSteps)
{
    /// <summary>A metric by its Keras name: loss, accuracy (acc), val_loss, val_accuracy (val_acc); null when absent.</summary>
    public double? this[string name] => name switch
    {
        "loss" => Loss,
        "accuracy" or "acc" => Accuracy,
        "val_loss" => ValidationLoss,
        "val_accuracy" or "val_acc" => ValidationAccuracy,
        _ => throw new ArgumentException($"Unknown metric '{name}' (loss, accuracy, val_loss, val_accuracy).", nameof(name)),
    };

    /// <summary>Keras-style line: <c>Epoch 3/10 - 2.1s - loss 0.3012 - acc 0.8921 - val_loss … - lr 9.0e-04</c>.</summary>
    public string ToLine(int epochs)
    {
        var parts = new List<string> { $"Epoch {Epoch}/{epochs}", $"{Seconds:F1}s", $"loss {Loss:F4}" };
        if (Accuracy is { } acc) parts.Add($"acc {acc:F4}");
        if (ValidationLoss is { } vl) parts.Add($"val_loss {vl:F4}");
        if (ValidationAccuracy is { } va) parts.Add($"val_acc {va:F4}");
        parts.Add($"lr {LearningRate:0.0e+00}");
        if (SkippedSteps > 0) parts.Add($"skipped {SkippedSteps}");
        return string.Join(" - ", parts);
    }
}

/// <summary>Loss and accuracy of a model on a data set (evaluation mode).</summary>
/// <param name="Loss">Mean loss.</param>
/// <param name="Accuracy">Accuracy, or null without class labels.</param>
/// <param name="Count">Examples evaluated.</param>
public sealed record Evaluation(double Loss, double? Accuracy, int Count);
