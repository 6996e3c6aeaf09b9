namespace CudaNet;

/// <summary>
/// Class probabilities of <see cref="Rows"/> examples with their spread over stochastic forward passes (MC dropout):
/// both arrays are (rows × classes), row-major.
/// </summary>
/// <param name="Mean">Mean over the samples of softmax(logits) per example and class.</param>
/// <param name="StandardDeviation">Population standard deviation (divided by the sample count k, numpy's
/// <c>std</c> with ddof 0) of those probabilities; 0 when every pass gave the same output.</param>
/// <param name="Rows">Examples.</param>
/// <param name="Classes">Classes (the network's output features).</param>
/// <param name="Samples">Stochastic passes k per example.</param>
public sealed record UncertainPrediction(float[] Mean, float[] StandardDeviation, int Rows, int Classes, int Samples)
{
    /// <summary>The class with the highest mean probability of example <paramref name="row"/> (the first on a tie,
    /// as <c>torch.argmax</c>).</summary>
    public int PredictedClass(int row)
    {
        if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"UncertainPrediction: row must be in [0, {Rows}).");
        var probabilities = Mean.AsSpan(row * Classes, Classes);
        int best = 0;
        for (int c = 1; c < probabilities.Length; c++)
            if (probabilities[c] > probabilities[best]) best = c;
        return best;
    }
}
