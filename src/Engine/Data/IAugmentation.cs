namespace CudaNet.Data;

/// <summary>
/// A random transformation of training examples, applied on the host once per epoch before the features are
/// uploaded (<see cref="FitOptions.Augmentation"/>). Validation and evaluation data are never augmented.
/// </summary>
/// <remarks>
/// Implementations must be pure functions of (source, count, seed, epoch): the same arguments give the same bits
/// on every machine and thread count, and different epochs give different draws. Rows are passed in the data set's
/// stored order, so an example's draw depends on its position in the data set, not on the epoch's shuffle.
/// </remarks>
public interface IAugmentation
{
    /// <summary>Features per example the augmentation expects.</summary>
    int FeatureCount { get; }

    /// <summary>
    /// Writes the augmented copies of the <paramref name="count"/> rows of <paramref name="source"/>
    /// (count × <see cref="FeatureCount"/>, row-major) to <paramref name="destination"/> (same shape, not
    /// overlapping the source), with the draws of (<paramref name="seed"/>, <paramref name="epoch"/>).
    /// </summary>
    void Apply(ReadOnlySpan<float> source, Span<float> destination, int count, ulong seed, int epoch);
}
