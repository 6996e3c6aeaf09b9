namespace CudaNet.Data;

/// <summary>
/// Examples in host memory: features (N, F) as float32 row-major, and either class labels (classification) or
/// target values (N, K). Immutable; <see cref="Subset"/> and <see cref="Split"/> copy.
/// </summary>
public sealed class Dataset
{
    private Dataset(float[] features, int featureCount, int[]? labels, int classes, float[]? targets, int targetFeatures)
    {
        if (featureCount < 1) throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "Dataset: features per example must be >= 1.");
        if (features.Length % featureCount != 0)
            throw new ArgumentException($"Dataset: {features.Length} feature values are not a multiple of {featureCount} features per example.", nameof(features));
        Count = features.Length / featureCount;
        if (labels is not null)
        {
            if (labels.Length != Count) throw new ArgumentException($"Dataset: {labels.Length} labels for {Count} examples.", nameof(labels));
            if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Dataset: classes must be >= 1.");
            int bad = Array.FindIndex(labels, l => l < 0 || l >= classes);
            if (bad >= 0) throw new ArgumentException($"Dataset: label {labels[bad]} of example {bad} is outside [0, {classes}).", nameof(labels));
        }
        if (targets is not null && (targetFeatures < 1 || targets.Length != Count * targetFeatures))
            throw new ArgumentException($"Dataset: {targets.Length} target values do not give {targetFeatures} per example for {Count} examples.", nameof(targets));
        (Features, FeatureCount, Labels, Classes, Targets, TargetFeatures) = (features, featureCount, labels, classes, targets, targetFeatures);
    }

    /// <summary>Classification data: features (N, F) and labels in [0, classes).</summary>
    public static Dataset WithLabels(float[] features, int featureCount, int[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        return new Dataset(features, featureCount, labels, classes, null, 0);
    }

    /// <summary>Regression (or multi-label) data: features (N, F) and targets (N, K).</summary>
    public static Dataset WithTargets(float[] features, int featureCount, float[] targets, int targetFeatures)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        return new Dataset(features, featureCount, null, 0, targets, targetFeatures);
    }

    /// <summary>Images as features scaled to [0, 1] (pixel / 255), with their labels.</summary>
    public static Dataset FromImages(LabeledImages images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var features = new float[images.Pixels.Length];
        for (int i = 0; i < features.Length; i++) features[i] = images.Pixels[i] / 255f;
        return new Dataset(features, images.Features, images.Labels.Select(l => (int)l).ToArray(), images.Classes, null, 0);
    }

    /// <summary>Number of examples.</summary>
    public int Count { get; }
    /// <summary>Features per example.</summary>
    public int FeatureCount { get; }
    /// <summary>Features, row-major (N, F).</summary>
    public float[] Features { get; }
    /// <summary>Class labels, or null.</summary>
    public int[]? Labels { get; }
    /// <summary>Number of classes (0 without labels).</summary>
    public int Classes { get; }
    /// <summary>Targets (N, K), or null.</summary>
    public float[]? Targets { get; }
    /// <summary>K, target values per example (0 without targets).</summary>
    public int TargetFeatures { get; }

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var features = new float[indices.Count * FeatureCount];
        var labels = Labels is null ? null : new int[indices.Count];
        var targets = Targets is null ? null : new float[indices.Count * TargetFeatures];
        for (int i = 0; i < indices.Count; i++)
        {
            int j = indices[i];
            if ((uint)j >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), j, $"Dataset.Subset: index {j} is outside [0, {Count}).");
            Array.Copy(Features, j * FeatureCount, features, i * FeatureCount, FeatureCount);
            if (labels is not null) labels[i] = Labels![j];
            if (targets is not null) Array.Copy(Targets!, j * TargetFeatures, targets, i * TargetFeatures, TargetFeatures);
        }
        return new Dataset(features, FeatureCount, labels, Classes, targets, TargetFeatures);
    }

    /// <summary>Holds out a random <paramref name="fraction"/> of the examples (chosen from <paramref name="seed"/>)
    /// as a validation set; the rest, in their original order, is the training set.</summary>
    public (Dataset Train, Dataset Validation) Split(double fraction, ulong seed)
    {
        if (!(fraction is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Dataset.Split: fraction must be in (0, 1).");
        int held = (int)Math.Round(Count * fraction);
        if (held < 1 || held >= Count)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Dataset.Split: {fraction} of {Count} examples leaves an empty side.");
        var order = Enumerable.Range(0, Count).ToArray();
        new HostRandom(seed, SplitStream).Shuffle(order.AsSpan());
        var validation = order[..held].Order().ToArray();
        var train = order[held..].Order().ToArray();
        return (Subset(train), Subset(validation));
    }

    private const ulong SplitStream = 0x5D11_7000_0000_0000;
}
