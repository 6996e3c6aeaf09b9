using System.Numerics;

namespace CudaNet;

/// <summary>What a <see cref="StepControl{T}"/> counted, read once at the end of an epoch.</summary>
/// <param name="Attempts">Steps begun since <see cref="StepControl{T}.StartEpoch"/> (applied or skipped).</param>
/// <param name="Step">Applied updates in all: the step count passed to <see cref="StepControl{T}.StartEpoch"/>
/// plus the steps applied since (PyTorch's <c>state['step']</c>).</param>
/// <param name="Skipped">Steps skipped since <see cref="StepControl{T}.StartEpoch"/> (non-finite loss or gradient).</param>
/// <param name="MuProduct">NAdam's Π μ_i over the applied steps (1 for the other optimizers).</param>
public readonly record struct StepCounters(long Attempts, long Step, long Skipped, double MuProduct);

/// <summary>
/// The device-resident control of training steps (one per session and Fit): counters, this step's decision and
/// gradient factor, and the per-group coefficient records of this step's fused updates, all in backend memory, so
/// a step needs no host read (DESIGN.md §3) and a captured CUDA graph can replay it. The host uploads its inputs
/// once per epoch (<see cref="StartEpoch"/>) and reads the counters once at its end (<see cref="ReadCounters"/>).
/// </summary>
/// <remarks>
/// A step is <see cref="IBackend{T}.BeginStep"/> (decide, clip, count, compute the records), one controlled update
/// per parameter group (<c>…Update(…, control, group)</c>), and <see cref="IBackend{T}.CopyIfSkipped"/> for state
/// a skipped step must restore. Layout (doubles): the state <c>[attempts, step, skipped, table base, μ product,
/// applies, factor, overrun, rates]</c>, the learning rate of every attempt, three powers per reachable step, and the
/// static plan <c>[rule, max norm, eps flag, groups, h0..h3]</c> + <c>[L1, L2, weight decay]</c> per group; the
/// records are <see cref="RecordWidth"/> values of T per group (<see cref="StepRecord{T}"/>).
/// </remarks>
public sealed class StepControl<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    internal const int Attempts = 0, EffectiveStep = 1, Skipped = 2, TableBase = 3, MuProduct = 4, Applies = 5, Factor = 6,
        Overrun = 7, RateCount = 8, StateLength = 9;
    internal const int PlanRule = 0, PlanMaxNorm = 1, PlanEpsFlag = 2, PlanGroups = 3, PlanHyperparameters = 4, PlanHeader = 8,
        PlanGroupWidth = 3;
    internal const int PowersPerStep = 3;

    /// <summary>Values of T in one group's coefficient record.</summary>
    public const int RecordWidth = StepRecord<T>.Width;

    private readonly double[] _hostInputs;
    private readonly Tensor<double> _inputs, _plan;
    private bool _disposed;

    /// <summary>Allocates the block on <paramref name="backend"/> for epochs of up to <paramref name="capacity"/>
    /// steps and uploads <paramref name="plan"/>.</summary>
    public StepControl(IBackend<T> backend, UpdatePlan plan, int capacity)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(plan.Groups);
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "StepControl: capacity must be >= 1.");
        if (plan.MaxGradNorm is { } max && !(max > 0 && double.IsFinite(max)))
            throw new ArgumentOutOfRangeException(nameof(plan), max, "StepControl: MaxGradNorm must be finite and > 0.");
        if (plan.EpsOverBiasCorrection && plan.Settings is not AdamSettings)
            throw new ArgumentException("StepControl: EpsOverBiasCorrection is Adam's only.", nameof(plan));
        var hyperparameters = plan.Hyperparameters;
        if (plan.SettingsProblem() is { } problem) throw new ArgumentOutOfRangeException(nameof(plan), plan.Settings, $"StepControl: {problem}.");
        foreach (var group in plan.Groups)
            if (!(group.L1 >= 0 && group.L2 >= 0 && group.WeightDecay >= 0) || !double.IsFinite(group.L1 + group.L2 + group.WeightDecay))
                throw new ArgumentOutOfRangeException(nameof(plan), group, "StepControl: group penalties must be finite and >= 0.");
        Backend = backend;
        Plan = plan;
        Rule = plan.Rule;
        Capacity = capacity;
        _hostInputs = new double[StateLength + capacity * (1 + PowersPerStep)];
        _inputs = backend.Allocate<double>(_hostInputs.Length);
        State = _inputs.View(0, StateLength);
        LearningRates = _inputs.View(StateLength, capacity);
        Powers = _inputs.View(StateLength + capacity, PowersPerStep * capacity);
        try
        {
            _plan = backend.Allocate<double>(PlanHeader + PlanGroupWidth * plan.Groups.Count);
            Records = backend.Allocate<T>(RecordWidth * plan.Groups.Count);
            backend.Upload(_plan, PlanValuesOf(plan, hyperparameters));
            StartEpoch([], 0, 1);
        }
        catch
        {
            // A failed allocation or upload (a full or dead device) must not leak what was allocated before it.
            Records?.Dispose();
            _plan?.Dispose();
            _inputs.Dispose();
            throw;
        }
    }

    /// <summary>The static plan as begin_step reads it.</summary>
    private static double[] PlanValuesOf(UpdatePlan plan, double[] hyperparameters)
    {
        var values = new double[PlanHeader + PlanGroupWidth * plan.Groups.Count];
        values[PlanRule] = (int)plan.Rule;
        values[PlanMaxNorm] = plan.MaxGradNorm ?? 0;
        values[PlanEpsFlag] = plan.EpsOverBiasCorrection ? 1 : 0;
        values[PlanGroups] = plan.Groups.Count;
        hyperparameters.CopyTo(values, PlanHyperparameters);
        for (int g = 0; g < plan.Groups.Count; g++)
        {
            int at = PlanHeader + PlanGroupWidth * g;
            (values[at], values[at + 1], values[at + 2]) = (plan.Groups[g].L1, plan.Groups[g].L2, plan.Groups[g].WeightDecay);
        }
        return values;
    }

    /// <summary>The backend holding the block.</summary>
    public IBackend<T> Backend { get; }
    /// <summary>The optimizer, groups and clipping the records follow.</summary>
    public UpdatePlan Plan { get; }
    /// <summary>Most steps one epoch may begin.</summary>
    public int Capacity { get; }
    /// <summary>The number of parameter groups.</summary>
    public int Groups => Plan.Groups.Count;
    /// <summary>The coefficient records, <see cref="RecordWidth"/> per group.</summary>
    public Tensor<T> Records { get; }

    internal UpdateRule Rule { get; }
    internal Tensor<double> State { get; }
    internal Tensor<double> LearningRates { get; }
    internal Tensor<double> Powers { get; }
    internal Tensor<double> PlanValues => _plan;

    /// <summary>
    /// Starts an epoch with one upload: attempt i (0-based) of the epoch steps at <paramref name="learningRates"/>[i];
    /// the applied-step count continues from <paramref name="step"/>, NAdam's μ product from
    /// <paramref name="muProduct"/> (Π μ_1..μ_step); the powers of every step the epoch can reach
    /// (step+1 … step+capacity) are computed here with <see cref="Math.Pow(double, double)"/>.
    /// </summary>
    public void StartEpoch(ReadOnlySpan<double> learningRates, long step, double muProduct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (learningRates.Length > Capacity)
            throw new ArgumentException($"StepControl: {learningRates.Length} learning rates but room for {Capacity}.", nameof(learningRates));
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "StepControl: the step count must be >= 0.");
        foreach (double lr in learningRates)
            if (!(lr >= 0) || !double.IsFinite(lr))
                throw new ArgumentOutOfRangeException(nameof(learningRates), lr, "StepControl: learning rates must be finite and >= 0.");
        Array.Clear(_hostInputs);
        _hostInputs[EffectiveStep] = step;
        _hostInputs[TableBase] = step;
        _hostInputs[MuProduct] = muProduct;
        // A CopyIfSkipped before the first BeginStep restores nothing.
        _hostInputs[Applies] = 1;
        _hostInputs[Factor] = 1;
        _hostInputs[RateCount] = learningRates.Length;
        learningRates.CopyTo(_hostInputs.AsSpan(StateLength));
        for (int k = 0; k < Capacity; k++)
        {
            var (a, b, c) = Plan.Powers(step + 1 + k);
            int at = StateLength + Capacity + PowersPerStep * k;
            (_hostInputs[at], _hostInputs[at + 1], _hostInputs[at + 2]) = (a, b, c);
        }
        Backend.Upload(_inputs, _hostInputs);
    }

    /// <summary>Reads the counters (one download, which waits for the queued steps).</summary>
    /// <exception cref="InvalidOperationException">More steps began than <see cref="StartEpoch"/> gave learning
    /// rates for (the device applied none of them).</exception>
    public StepCounters ReadCounters()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<double> state = stackalloc double[StateLength];
        Backend.Download(State, state);
        if (state[Overrun] != 0)
            throw new InvalidOperationException("StepControl: more steps began than the epoch had learning rates for; they were not applied.");
        return new StepCounters((long)state[Attempts], (long)state[EffectiveStep], (long)state[Skipped], state[MuProduct]);
    }

    /// <summary>Frees the block; harmless twice.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _inputs.Dispose();
        _plan.Dispose();
        Records.Dispose();
    }
}
