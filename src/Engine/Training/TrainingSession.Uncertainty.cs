using System.Runtime.InteropServices;
using CudaNet.Data;

namespace CudaNet;

public sealed partial class TrainingSession<T>
{
    /// <summary>
    /// Class probabilities softmax(logits) of every example of <paramref name="data"/> in evaluation mode
    /// (rows × classes); the network's outputs must be logits. One call at a time per session (a concurrent call
    /// throws <see cref="InvalidOperationException"/>).
    /// </summary>
    public float[] PredictProbabilities(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        return PredictProbabilities(data.Features, batchSize);
    }

    /// <summary>
    /// Class probabilities softmax(logits) of the rows of <paramref name="input"/> (rows × input features) in
    /// evaluation mode, computed on the backend (<see cref="IBackend{T}.SoftmaxForward"/>) in batches of
    /// <paramref name="batchSize"/> rows. One call at a time per session.
    /// </summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> input, int batchSize = 256)
    {
        int rows = CheckPredictionInput(input, batchSize, nameof(PredictProbabilities));
        int classes = Network.OutputFeatures;
        var result = new float[rows * classes];
        using var guard = Enter();
        using var batches = new PredictionBatches(this, rows, batchSize);
        for (int start = 0; start < rows; start += batches.Size)
        {
            int n = batches.Upload(input, start);
            var probabilities = batches.Softmax(Network.Forward(n, training: false));
            for (int i = 0; i < probabilities.Length; i++) result[start * classes + i] = float.CreateTruncating(probabilities[i]);
        }
        return result;
    }

    /// <summary>
    /// Monte Carlo dropout (Gal and Ghahramani, 2016): runs <paramref name="samples"/> stochastic forward passes per
    /// example with dropout and weight noise on and normalisation in inference mode (running statistics;
    /// <see cref="Network{T}.ForwardSample"/>) and returns the mean and standard deviation of softmax(logits).
    /// </summary>
    /// <remarks>
    /// Deterministic: pass s of batch b (batches of <paramref name="batchSize"/> rows, in order) uses draw
    /// b·samples + s of the network's seed, from Philox streams disjoint from training's, and nothing the training
    /// state holds changes (so a later <c>Fit</c> is unaffected). The masks depend on the batch size. Mean and
    /// variance accumulate in float64 with Welford's update, so k identical passes give exactly their value and a
    /// standard deviation of exactly 0. One call at a time per session (a concurrent call throws
    /// <see cref="InvalidOperationException"/>).
    /// </remarks>
    public UncertainPrediction PredictWithUncertainty(Dataset data, int samples, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        return PredictWithUncertainty(data.Features, samples, batchSize);
    }

    /// <summary>MC dropout on the rows of <paramref name="input"/> (rows × input features); see
    /// <see cref="PredictWithUncertainty(Dataset, int, int)"/>.</summary>
    public UncertainPrediction PredictWithUncertainty(ReadOnlySpan<float> input, int samples, int batchSize = 256)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "PredictWithUncertainty: samples must be >= 1.");
        int rows = CheckPredictionInput(input, batchSize, nameof(PredictWithUncertainty));
        int classes = Network.OutputFeatures;
        var mean = new double[rows * classes];
        var sumOfSquares = new double[rows * classes];
        using var guard = Enter();
        using var batches = new PredictionBatches(this, rows, batchSize);
        for (int start = 0, b = 0; start < rows; start += batches.Size, b++)
        {
            int n = batches.Upload(input, start);
            int offset = start * classes;
            for (int s = 0; s < samples; s++)
            {
                var probabilities = batches.Softmax(Network.ForwardSample(n, (ulong)b * (ulong)samples + (ulong)s));
                double count = s + 1;
                for (int i = 0; i < probabilities.Length; i++)
                {
                    double x = double.CreateTruncating(probabilities[i]);
                    double delta = x - mean[offset + i];
                    mean[offset + i] += delta / count;
                    sumOfSquares[offset + i] += delta * (x - mean[offset + i]);
                }
            }
        }
        var meanOut = new float[mean.Length];
        var stdOut = new float[mean.Length];
        for (int i = 0; i < mean.Length; i++)
        {
            meanOut[i] = (float)mean[i];
            stdOut[i] = (float)Math.Sqrt(sumOfSquares[i] / samples);
        }
        return new UncertainPrediction(meanOut, stdOut, rows, classes, samples);
    }

    private int CheckPredictionInput(ReadOnlySpan<float> input, int batchSize, string operation)
    {
        int features = Network.InputFeatures;
        if (input.Length == 0 || input.Length % features != 0)
            throw new ArgumentException($"{operation}: input has {input.Length} values, not a positive multiple of {features} features.", nameof(input));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{operation}: batch size must be >= 1.");
        return input.Length / features;
    }

    /// <summary>Uploads prediction batches into the network's input slot and brings softmax(output) back to the host,
    /// with the scratch sized once per call.</summary>
    private sealed class PredictionBatches : IDisposable
    {
        private readonly TrainingSession<T> _session;
        private readonly int _rows, _features, _classes;
        private readonly Tensor<T> _probabilities;
        private readonly T[] _host;
        private readonly T[]? _staging;
        private Tensor<T>? _tail;

        public PredictionBatches(TrainingSession<T> session, int rows, int batchSize)
        {
            _session = session;
            _rows = rows;
            Size = Math.Min(batchSize, rows);
            _features = session.Network.InputFeatures;
            _classes = session.Network.OutputFeatures;
            session.Network.Reserve(Size);
            _probabilities = session.Backend.Allocate<T>(Size, _classes);
            _host = new T[Size * _classes];
            // float32 input goes to a float32 backend as is; other element types need a converted copy.
            if (typeof(T) != typeof(float)) _staging = new T[Size * _features];
        }

        /// <summary>Rows per batch (the last one may be shorter).</summary>
        public int Size { get; }

        /// <summary>Puts the rows from <paramref name="start"/> into the input slot; returns how many.</summary>
        public int Upload(ReadOnlySpan<float> input, int start)
        {
            int n = Math.Min(Size, _rows - start);
            var rows = input.Slice(start * _features, n * _features);
            var slot = _session.Network.Input(n);
            if (_staging is null)
            {
                _session.Backend.Upload(slot, MemoryMarshal.Cast<float, T>(rows));
                return n;
            }
            for (int i = 0; i < rows.Length; i++) _staging[i] = T.CreateTruncating(rows[i]);
            _session.Backend.Upload(slot, _staging.AsSpan(0, rows.Length));
            return n;
        }

        /// <summary>softmax(<paramref name="logits"/>) row by row on the backend, downloaded.</summary>
        public ReadOnlySpan<T> Softmax(Tensor<T> logits)
        {
            var probabilities = logits.Rows == Size ? _probabilities : Tail(logits.Rows);
            _session.Backend.SoftmaxForward(probabilities, logits);
            var host = _host.AsSpan(0, logits.Rows * _classes);
            _session.Backend.Download(probabilities, host);
            return host;
        }

        private Tensor<T> Tail(int rows)
        {
            if (_tail is null || _tail.Rows != rows) _tail = _probabilities.View(0, rows, _classes);
            return _tail;
        }

        public void Dispose() => _probabilities.Dispose();
    }
}
