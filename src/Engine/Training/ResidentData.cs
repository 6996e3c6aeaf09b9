using System.Numerics;
using CudaNet.Data;

namespace CudaNet;

/// <summary>
/// A data set uploaded to the backend once. Each epoch uploads one permutation of row indices (and the labels in
/// that order); a batch is then a view of both, and its rows are gathered on the backend. With an augmentation,
/// each epoch also makes one host pass over the features into a buffer allocated once, and uploads it.
/// </summary>
internal sealed class ResidentData<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private const ulong ShuffleStream = 0x5A0F_F1E0_0000_0000;
    private readonly IBackend<T> _backend;
    private readonly int[]? _labels;
    private readonly Tensor<T>? _targets;
    private readonly Tensor<T>? _targetBatch;
    private readonly Tensor<int> _order;
    private readonly Tensor<int>? _orderedLabels;
    private readonly int[] _permutation;
    private readonly int[] _labelBuffer;
    private readonly Dictionary<int, (Tensor<int> Indices, Tensor<int>? Labels, Tensor<T>? Targets)> _batches = [];
    private readonly IAugmentation? _augmentation;
    private readonly ulong _augmentationSeed;
    private readonly float[] _rawFeatures;
    private readonly float[]? _augmented;
    private readonly T[]? _converted;

    /// <summary>Uploads <paramref name="data"/>; with <paramref name="augmentation"/>, its features are instead
    /// augmented from (<paramref name="augmentationSeed"/>, epoch) and uploaded at every <see cref="Arrange"/>.</summary>
    public ResidentData(IBackend<T> backend, Dataset data, int maxBatch, IAugmentation? augmentation = null, ulong augmentationSeed = 0)
    {
        _backend = backend;
        Count = data.Count;
        _rawFeatures = data.Features;
        if (augmentation is not null)
        {
            if (augmentation.FeatureCount != data.FeatureCount)
                throw new ArgumentException($"Fit: the augmentation expects {augmentation.FeatureCount} features but the training set has {data.FeatureCount}.", nameof(augmentation));
            _augmentation = augmentation;
            _augmentationSeed = augmentationSeed;
            _augmented = new float[data.Features.Length];
            if (typeof(T) != typeof(float)) _converted = new T[data.Features.Length];
        }
        Features = augmentation is null
            ? backend.FromArray(Convert(data.Features), data.Count, data.FeatureCount)
            : backend.Allocate<T>(data.Count, data.FeatureCount);
        _order = backend.Allocate<int>(data.Count);
        _permutation = new int[data.Count];
        _labelBuffer = new int[data.Labels is null ? 0 : data.Count];
        _labels = data.Labels;
        if (_labels is not null) _orderedLabels = backend.Allocate<int>(data.Count);
        if (data.Targets is not null)
        {
            _targets = backend.FromArray(Convert(data.Targets), data.Count, data.TargetFeatures);
            _targetBatch = backend.Allocate<T>(maxBatch, data.TargetFeatures);
        }
    }

    public int Count { get; }
    public Tensor<T> Features { get; }
    public bool HasLabels => _labels is not null;

    /// <summary>Orders the rows for an epoch: shuffled from (seed, epoch), or in their stored order; and uploads the
    /// epoch's augmented features when there is an augmentation.</summary>
    public void Arrange(ulong? seed, int epoch)
    {
        if (_augmentation is not null) UploadAugmented(epoch);
        for (int i = 0; i < _permutation.Length; i++) _permutation[i] = i;
        if (seed is { } s) new HostRandom(s, ShuffleStream + (ulong)epoch).Shuffle(_permutation.AsSpan());
        _backend.Upload(_order, _permutation);
        if (_labels is null) return;
        for (int i = 0; i < _permutation.Length; i++) _labelBuffer[i] = _labels[_permutation[i]];
        _backend.Upload(_orderedLabels!, _labelBuffer);
    }

    /// <summary>Row indices and targets of the batch of <paramref name="rows"/> rows starting at <paramref name="start"/>.</summary>
    public (Tensor<int> Indices, BatchTargets<T> Targets) Batch(int start, int rows)
    {
        if (!_batches.TryGetValue(start, out var views) || views.Indices.Length != rows)
        {
            views = (_order.View(start, rows), _orderedLabels?.View(start, rows), _targetBatch?.View(0, rows, _targetBatch.Columns));
            _batches[start] = views;
        }
        if (_targets is not null) _backend.GatherRows(views.Targets!, _targets, views.Indices);
        return (views.Indices, new BatchTargets<T>(views.Labels, views.Targets));
    }

    private void UploadAugmented(int epoch)
    {
        _augmentation!.Apply(_rawFeatures, _augmented, Count, _augmentationSeed, epoch);
        if (_converted is null)
        {
            _backend.Upload(Features, (T[])(object)_augmented!);
            return;
        }
        for (int i = 0; i < _augmented!.Length; i++) _converted[i] = T.CreateTruncating(_augmented[i]);
        _backend.Upload(Features, _converted);
    }

    private static T[] Convert(float[] values) => typeof(T) == typeof(float)
        ? (T[])(object)values
        : values.Select(v => T.CreateTruncating(v)).ToArray();

    public void Dispose()
    {
        Features.Dispose();
        _order.Dispose();
        _orderedLabels?.Dispose();
        _targets?.Dispose();
        _targetBatch?.Dispose();
    }
}
