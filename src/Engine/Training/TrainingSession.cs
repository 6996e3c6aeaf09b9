using System.Diagnostics;
using System.Numerics;
using CudaNet.Data;

namespace CudaNet;

/// <summary>
/// A network with its optimizer and loss: <see cref="Fit"/>, <see cref="Evaluate"/>, <c>Predict</c>.
/// The data set is uploaded once; each step gathers its rows on the backend by index; loss and accuracy
/// accumulate on the backend and are read once per epoch (DESIGN.md §3). Not thread-safe: concurrent calls
/// throw <see cref="InvalidOperationException"/>.
/// </summary>
public sealed partial class TrainingSession<T> : ITrainingRun, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly bool _ownsNetwork;
    private readonly Tensor<T> _batchLoss, _gradNorm;
    private readonly Tensor<T>? _buffersBeforeStep;
    private readonly Totals _trainTotals, _evalTotals;
    private readonly List<EpochMetrics> _history = [];
    private EpochInProgress? _epoch;
    private PendingStep _pendingStep;
    private PendingEvaluation _pendingEvaluation;
    private Action? _runPendingStep, _runPendingEvaluation;
    private long _step, _skippedSteps;
    private int _busy;
    private bool _stopRequested, _disposed;

    /// <summary>Binds <paramref name="network"/> to <paramref name="optimizer"/> and <paramref name="loss"/>.</summary>
    public TrainingSession(Network<T> network, Optimizer optimizer, Loss loss, bool ownsNetwork = false)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _ownsNetwork = ownsNetwork;
        OptimizerState = optimizer.CreateState(network);
        _batchLoss = Backend.Allocate<T>(1);
        _gradNorm = Backend.Allocate<T>(1);
        if (network.Buffers is not null) _buffersBeforeStep = Backend.Allocate<T>(network.Buffers.Length);
        _trainTotals = new Totals(Backend);
        _evalTotals = new Totals(Backend);
    }

    /// <summary>The network trained.</summary>
    public Network<T> Network { get; }
    /// <summary>The optimizer's hyperparameters.</summary>
    public Optimizer Optimizer { get; }
    /// <summary>The optimizer's state.</summary>
    public OptimizerState<T> OptimizerState { get; }
    /// <summary>The loss.</summary>
    public Loss Loss { get; }
    /// <summary>The backend.</summary>
    public IBackend<T> Backend => Network.Backend;
    /// <summary>Optimizer updates applied so far. The count lives on the backend during an epoch: reading it then
    /// (from a callback) waits for the queued steps.</summary>
    public long Step
    {
        get
        {
            SyncCounters();
            return _step;
        }
    }
    /// <inheritdoc/>
    public int Epoch { get; private set; }
    /// <summary>Steps skipped because of non-finite values, over the session's life (read from the backend during an
    /// epoch, like <see cref="Step"/>).</summary>
    public long SkippedSteps
    {
        get
        {
            SyncCounters();
            return _skippedSteps;
        }
    }
    /// <inheritdoc/>
    public IReadOnlyList<EpochMetrics> History => _history;

    /// <summary>What the training steps' graph did in the last <see cref="Fit"/> (captures, replays, updated nodes, and
    /// why it turned itself off, if it did); null when that Fit ran without one (a backend without graphs,
    /// <see cref="FitOptions.UseGraphs"/> off, or <see cref="NonFinite.Throw"/>).</summary>
    public StepGraphCounters? StepGraphs { get; private set; }

    /// <inheritdoc/>
    public void StopTraining() => _stopRequested = true;

    /// <summary>
    /// Trains for up to <paramref name="epochs"/> more epochs (callbacks may stop earlier) and returns the metrics
    /// of those epochs. The schedule is evaluated at the session's epoch count, so a second call continues it.
    /// </summary>
    public IReadOnlyList<EpochMetrics> Fit(Dataset train, Dataset? validation = null, int epochs = 10, FitOptions? options = null,
        IReadOnlyList<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new FitOptions();
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be >= 0.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "Fit: batch size must be >= 1.");
        if (options.MaxGradNorm is { } clip && !(clip > 0))
            throw new ArgumentOutOfRangeException(nameof(options), clip, "Fit: MaxGradNorm must be > 0.");
        CheckData(train, nameof(train));
        if (validation is not null) CheckData(validation, nameof(validation));
        callbacks ??= [];
        using var guard = Enter();
        int batch = Math.Min(options.BatchSize, train.Count);
        using var data = new ResidentData<T>(Backend, train, batch, options.Augmentation, Network.Seed);
        int batches = (data.Count + batch - 1) / batch;
        using var control = new StepControl<T>(Backend, OptimizerState.Plan(options.MaxGradNorm), batches);
        var rates = new double[batches];
        using var held = validation is null ? null : new ResidentData<T>(Backend, validation, batch);
        Network.Reserve(batch);
        // NonFinite.Throw reads the host inside each step, which a graph step cannot; evaluation never does.
        using var graph = options.UseGraphs && options.OnNonFinite == NonFinite.Skip ? CreateStepGraph() : null;
        using var validationGraph = options.UseGraphs && held is not null ? CreateStepGraph() : null;
        var results = new List<EpochMetrics>();
        _stopRequested = false;
        foreach (var callback in callbacks) callback.OnTrainBegin(this);
        for (int e = 0; e < epochs && !_stopRequested; e++)
        {
            var metrics = RunEpoch(data, held, batch, options, callbacks, control, rates, graph, validationGraph);
            _history.Add(metrics);
            results.Add(metrics);
            foreach (var callback in callbacks) callback.OnEpochEnd(this, metrics);
        }
        (_pendingStep, _pendingEvaluation) = (default, default); // they hold the disposed resident data otherwise
        StepGraphs = graph?.Counters;
        foreach (var callback in callbacks) callback.OnTrainEnd(this);
        return results;
    }

    /// <summary>
    /// One epoch with no host read inside (DESIGN.md §3): the step's decisions live in <paramref name="control"/>,
    /// uploaded once here and read once at the end. Each step: gather, forward, loss, backward, ‖g‖², then
    /// <see cref="IBackend{T}.BeginStep"/> skips a non-finite step or clips, the controlled updates apply its records,
    /// and <see cref="IBackend{T}.CopyIfSkipped"/> puts back the running statistics a skipped forward pass moved.
    /// <see cref="NonFinite.Throw"/> adds a host read of ‖g‖² and the loss per step (a synchronisation), to stop at the
    /// offending step and name the layer. With graphs, every full batch of training and of validation runs through its
    /// graph.
    /// </summary>
    private EpochMetrics RunEpoch(ResidentData<T> data, ResidentData<T>? validation, int batch, FitOptions options,
        IReadOnlyList<Callback> callbacks, StepControl<T> control, double[] rates, IStepGraph? graph, IStepGraph? validationGraph)
    {
        int batches = rates.Length;
        var clock = Stopwatch.StartNew();
        double lr = options.Schedule?.LearningRate(Epoch, Optimizer.LearningRate) ?? Optimizer.LearningRate;
        data.Arrange(options.Shuffle ? Network.Seed : null, Epoch);
        _trainTotals.Reset();
        Array.Fill(rates, lr);
        control.StartEpoch(rates, _step, OptimizerState.ProductAt(_step));
        _epoch = new EpochInProgress(control, _step, _skippedSteps);
        long skipped;
        try
        {
            for (int start = 0; start < data.Count; start += batch)
            {
                int rows = Math.Min(batch, data.Count - start);
                _pendingStep = new PendingStep(data, start, rows, control, options.OnNonFinite);
                if (graph is not null && rows == batch) graph.Run(_runPendingStep ??= RunPendingStep);
                else RunPendingStep();
                foreach (var callback in callbacks) callback.OnBatchEnd(this, start / batch + 1, batches);
            }
        }
        finally
        {
            // Also after an exception, so Step, SkippedSteps and the optimizer's scalars count what was applied; the
            // epoch ends even when that read fails (a dead device), so later calls do not read a disposed block.
            try
            {
                skipped = SyncCounters();
            }
            finally
            {
                _epoch = null;
            }
        }
        Epoch++;
        var trained = _trainTotals.Read(data.Count, data.HasLabels);
        var val = validation is null ? null : EvaluateCore(validation, batch, validationGraph);
        return new EpochMetrics(Epoch, trained.Loss, trained.Accuracy, val?.Loss, val?.Accuracy, lr, clock.Elapsed.TotalSeconds, (int)skipped);
    }

    /// <summary>One training step on the batch of <see cref="_pendingStep"/>: gather, forward, loss, backward, ‖g‖²,
    /// begin the step, update, restore what a skipped step moved. Only queues ops (but for NonFinite.Throw's read), so a
    /// step graph can record it.</summary>
    private void RunPendingStep()
    {
        var (data, start, rows, control, onNonFinite) = _pendingStep;
        var (indices, targets) = data.Batch(start, rows);
        // The running statistics move during the forward pass; a skipped step restores them from this copy.
        if (_buffersBeforeStep is not null) Backend.Copy(_buffersBeforeStep, Network.Buffers!);
        Backend.GatherRows(Network.Input(rows), data.Features, indices);
        var output = Network.Forward(rows, training: true);
        Loss.Compute(Backend, _batchLoss, Network.OutputGradient, output, targets);
        _trainTotals.Add(_batchLoss, rows, output, targets.Labels);
        Network.Backward();
        Backend.SquaredNorm(_gradNorm, Network.Gradients);
        if (onNonFinite == NonFinite.Throw) ThrowIfNonFinite(rows);
        Backend.BeginStep(control, _gradNorm, _batchLoss);
        OptimizerState.Step(control);
        if (_buffersBeforeStep is not null) Backend.CopyIfSkipped(Network.Buffers!, _buffersBeforeStep, control);
    }

    /// <summary>The batch the next <see cref="RunPendingStep"/> trains on (a field, so the cached delegate a step
    /// graph runs allocates nothing per step).</summary>
    private readonly record struct PendingStep(ResidentData<T> Data, int Start, int Rows, StepControl<T> Control, NonFinite OnNonFinite);

    /// <summary>A step graph when the backend has them (<see cref="IStepGraphBackend"/>), else null.</summary>
    private IStepGraph? CreateStepGraph() => (Backend as IStepGraphBackend)?.CreateStepGraph();

    /// <summary>NonFinite.Throw: reads ‖g‖² and the loss (a host synchronisation per step) and throws before the
    /// step is begun, so nothing of it is applied.</summary>
    private void ThrowIfNonFinite(int rows)
    {
        if (!double.IsFinite(ReadScalar(_gradNorm)) || !double.IsFinite(ReadScalar(_batchLoss)))
            throw new NonFiniteException(DescribeNonFinite(rows));
    }

    /// <summary>During an epoch: reads the step control once and takes its counts as the session's (idempotent);
    /// returns the steps skipped in the epoch so far (0 outside an epoch).</summary>
    private long SyncCounters()
    {
        if (_epoch is not { } epoch) return 0;
        var counters = epoch.Control.ReadCounters();
        _step = counters.Step;
        _skippedSteps = epoch.SkippedBefore + counters.Skipped;
        if (counters.Step > epoch.StepBefore) OptimizerState.SetProduct(counters.MuProduct, counters.Step);
        return counters.Skipped;
    }

    /// <summary>The step control of the running epoch and the counts it started from.</summary>
    private sealed record EpochInProgress(StepControl<T> Control, long StepBefore, long SkippedBefore);

    private double ReadScalar(Tensor<T> scalar)
    {
        Span<T> value = stackalloc T[1];
        Backend.Download(scalar, value);
        return double.CreateTruncating(value[0]);
    }

    private void CheckData(Dataset data, string name)
    {
        if (data.FeatureCount != Network.InputFeatures)
            throw new ArgumentException($"Fit: {name} has {data.FeatureCount} features but the model takes {Network.InputFeatures}.", name);
        if (data.Count == 0) throw new ArgumentException($"Fit: {name} is empty.", name);
        if (Loss.TakesClassLabels && data.Labels is null) throw new ArgumentException($"Fit: {name} has no class labels for {Loss}.", name);
        if (Loss.TakesClassLabels && data.Classes > Network.OutputFeatures)
            throw new ArgumentException($"Fit: {name} has {data.Classes} classes but the model outputs {Network.OutputFeatures}.", name);
        if (!Loss.TakesClassLabels && data.TargetFeatures != Network.OutputFeatures)
            throw new ArgumentException($"Fit: {name} has {data.TargetFeatures} target values per example but the model outputs {Network.OutputFeatures}.", name);
    }

    private Guard Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException("TrainingSession is single-threaded: another call is in progress on it.");
        return new Guard(this);
    }

    private readonly struct Guard(TrainingSession<T> session) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref session._busy, 0);
    }

    /// <summary>Frees the optimizer state, the session's scalars and (when it owns it) the network.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        OptimizerState.Dispose();
        _batchLoss.Dispose();
        _gradNorm.Dispose();
        _buffersBeforeStep?.Dispose();
        _trainTotals.Dispose();
        _evalTotals.Dispose();
        if (_ownsNetwork) Network.Dispose();
    }
}
