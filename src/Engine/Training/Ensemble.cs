using System.Numerics;
using CudaNet.Data;

namespace CudaNet;

/// <summary>Builds <see cref="Ensemble{T}"/>s.</summary>
public static class Ensemble
{
    private const ulong MemberSeedStream = 0xE45E_3B1E_0000_0000;
    private const ulong BootstrapStream = 0xB007_5000_0000_0000;

    /// <summary>
    /// Bagging (Breiman, 1996): trains <paramref name="members"/> copies of <paramref name="model"/>, member m with
    /// its own seed (initialisation, dropout, shuffling) and on a bootstrap resample of <paramref name="train"/>
    /// (N rows drawn with replacement), both derived from <paramref name="seed"/> and m with <see cref="HostRandom"/>,
    /// so the ensemble is reproducible and members are independent of one another's count.
    /// </summary>
    /// <param name="model">Creates the model (called once per member; the models must be alike).</param>
    /// <param name="backend">Backend every member runs on (not owned).</param>
    /// <param name="optimizer">Creates each member's optimizer.</param>
    /// <param name="loss">A classification loss on logits (the ensemble averages softmax probabilities).</param>
    /// <param name="train">Training set with class labels.</param>
    /// <param name="members">Number of members (&gt;= 1).</param>
    /// <param name="epochs">Epochs per member.</param>
    /// <param name="options">Fit options shared by the members.</param>
    /// <param name="seed">Seed of the whole ensemble.</param>
    /// <param name="bootstrap">Train each member on a bootstrap resample (true) or on the whole set (false: members
    /// then differ only by their seeds).</param>
    public static Ensemble<T> Train<T>(Func<Sequential> model, IBackend<T> backend, Func<Optimizer> optimizer, Loss loss, Dataset train,
        int members, int epochs, FitOptions? options = null, ulong seed = 42, bool bootstrap = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(train);
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), members, "Ensemble.Train: members must be >= 1.");
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Ensemble.Train: epochs must be >= 0.");
        if (!loss.TakesClassLabels)
            throw new ArgumentException($"Ensemble.Train: {loss} does not take class labels; the ensemble averages class probabilities.", nameof(loss));
        var sessions = new List<TrainingSession<T>>(members);
        try
        {
            for (int m = 0; m < members; m++)
            {
                var random = new HostRandom(seed, MemberSeedStream + (ulong)m);
                ulong memberSeed = (ulong)random.NextUInt32() << 32 | random.NextUInt32();
                var session = model().Compile(backend, optimizer(), loss, memberSeed);
                sessions.Add(session);
                session.Fit(bootstrap ? Resample(train, memberSeed) : train, epochs: epochs, options: options);
            }
            return new Ensemble<T>(sessions);
        }
        catch
        {
            foreach (var session in sessions) session.Dispose();
            throw;
        }
    }

    /// <summary>Fraction of rows of <paramref name="probabilities"/> (rows × classes) whose argmax (first on a tie)
    /// equals the label.</summary>
    public static double Accuracy(ReadOnlySpan<float> probabilities, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0 || probabilities.Length % labels.Count != 0)
            throw new ArgumentException($"Ensemble.Accuracy: {probabilities.Length} values do not split into {labels.Count} rows.", nameof(labels));
        int classes = probabilities.Length / labels.Count, correct = 0;
        for (int r = 0; r < labels.Count; r++)
        {
            var row = probabilities.Slice(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            if (best == labels[r]) correct++;
        }
        return correct / (double)labels.Count;
    }

    /// <summary>N rows of <paramref name="data"/> drawn uniformly with replacement from <paramref name="seed"/>.</summary>
    public static Dataset Resample(Dataset data, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var random = new HostRandom(seed, BootstrapStream);
        var rows = new int[data.Count];
        for (int i = 0; i < rows.Length; i++) rows[i] = random.NextInt(data.Count);
        return data.Subset(rows);
    }
}

/// <summary>
/// Trained classifiers whose softmax probabilities are averaged: p(c | x) = (1/M)·Σ_m softmax(f_m(x))_c, summed in
/// float64 in member order and rounded to float32 once. Owns its members. Not thread-safe: each member session
/// takes one call at a time (a concurrent call throws <see cref="InvalidOperationException"/>).
/// </summary>
public sealed class Ensemble<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TrainingSession<T>[] _members;
    private bool _disposed;

    /// <summary>Takes ownership of trained <paramref name="members"/> (same input and output sizes).</summary>
    public Ensemble(IEnumerable<TrainingSession<T>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = members.ToArray();
        if (_members.Length == 0) throw new ArgumentException("Ensemble: needs at least one member.", nameof(members));
        if (_members.Any(m => m is null)) throw new ArgumentNullException(nameof(members), "Ensemble: a member is null.");
        var first = _members[0].Network;
        if (_members.Any(m => m.Network.InputFeatures != first.InputFeatures || m.Network.OutputFeatures != first.OutputFeatures))
            throw new ArgumentException("Ensemble: members must share input and output sizes.", nameof(members));
    }

    /// <summary>The member sessions, in order.</summary>
    public IReadOnlyList<TrainingSession<T>> Members => _members;

    /// <summary>Averaged class probabilities of every example of <paramref name="data"/> (rows × classes).</summary>
    public float[] PredictProbabilities(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        return PredictProbabilities(data.Features, batchSize);
    }

    /// <summary>Averaged class probabilities of the rows of <paramref name="input"/> (rows × classes).</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> input, int batchSize = 256)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        double[]? sum = null;
        foreach (var member in _members)
        {
            var probabilities = member.PredictProbabilities(input, batchSize);
            sum ??= new double[probabilities.Length];
            for (int i = 0; i < probabilities.Length; i++) sum[i] += probabilities[i];
        }
        var mean = new float[sum!.Length];
        for (int i = 0; i < mean.Length; i++) mean[i] = (float)(sum[i] / _members.Length);
        return mean;
    }

    /// <summary>Accuracy of the averaged prediction (argmax, first on a tie) on <paramref name="data"/>'s labels.</summary>
    public double Evaluate(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Labels is null) throw new ArgumentException("Ensemble.Evaluate: the data set has no class labels.", nameof(data));
        return Ensemble.Accuracy(PredictProbabilities(data, batchSize), data.Labels);
    }

    /// <summary>Disposes every member; harmless twice.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var member in _members) member.Dispose();
    }
}
