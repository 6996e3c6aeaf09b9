using System.Numerics;

namespace CudaNet;

/// <summary>
/// An optimizer as the user describes it (hyperparameters, PyTorch defaults). <see cref="CreateState{T}"/> builds
/// its state (moments, accumulators…) mirroring a network's flat parameter layout, and each step is one fused
/// backend update per <see cref="ParameterGroup"/> (DESIGN.md §3).
/// </summary>
/// <remarks>
/// <see cref="WeightDecay"/> means what it means in PyTorch for that optimizer: an L2 term added to the gradient
/// (SGD, Adam, RMSprop, …) or decoupled decay θ *= 1 - lr·wd (AdamW). It applies to the decayed groups (weights),
/// not to biases and normalisation parameters. Per-layer <see cref="Regularizer"/>s add their own L1/L2.
/// </remarks>
public abstract class Optimizer
{
    /// <summary>Validates and stores the shared hyperparameters.</summary>
    protected Optimizer(double learningRate, double weightDecay)
    {
        if (!double.IsFinite(learningRate) || learningRate < 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"{GetType().Name}: learning rate must be finite and >= 0.");
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"{GetType().Name}: weight decay must be finite and >= 0.");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The base learning rate (η₀ of a schedule).</summary>
    public double LearningRate { get; }

    /// <summary>Weight decay, in this optimizer's PyTorch meaning.</summary>
    public double WeightDecay { get; }

    /// <summary>True when <see cref="WeightDecay"/> is decoupled (AdamW) rather than an L2 gradient term.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <summary>Creates the state for <paramref name="network"/>'s parameters.</summary>
    public abstract OptimizerState<T> CreateState<T>(Network<T> network) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The <see cref="UpdateStep"/> of <paramref name="group"/> at learning rate <paramref name="lr"/>.</summary>
    internal UpdateStep StepFor(ParameterGroup group, double lr, long step)
    {
        double decay = group.Decay ? WeightDecay : 0;
        return DecoupledWeightDecay
            ? new UpdateStep(lr, step, group.L1, group.L2, decay)
            : new UpdateStep(lr, step, group.L1, group.L2 + decay);
    }
}

/// <summary>
/// An optimizer's state for one network: named tensors with the flat parameter layout (saved in the training
/// state for exact resumption), and per-group views prepared once so a step allocates nothing.
/// </summary>
public abstract class OptimizerState<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(string Name, Tensor<T> Tensor)> _tensors = [];
    private bool _disposed;

    /// <summary>Binds the state to <paramref name="network"/> and <paramref name="optimizer"/>.</summary>
    protected OptimizerState(Network<T> network, Optimizer optimizer)
    {
        Network = network;
        Optimizer = optimizer;
        Groups = network.Groups.Select(g => new GroupViews(g, network.Parameters.View(g.Offset, g.Length),
            network.Gradients.View(g.Offset, g.Length))).ToArray();
    }

    /// <summary>The network whose parameters this state updates.</summary>
    protected Network<T> Network { get; }

    /// <summary>The optimizer's hyperparameters.</summary>
    protected Optimizer Optimizer { get; }

    /// <summary>Per group: the range and its parameter and gradient views.</summary>
    protected IReadOnlyList<GroupViews> Groups { get; }

    /// <summary>The state tensors by name, for checkpoints.</summary>
    public IReadOnlyList<(string Name, Tensor<T> Tensor)> Tensors => _tensors;

    /// <summary>Scalar state (e.g. NAdam's μ product), for checkpoints.</summary>
    public virtual IReadOnlyDictionary<string, double> Scalars => new Dictionary<string, double>();

    /// <summary>Restores a scalar saved from <see cref="Scalars"/>.</summary>
    public virtual void SetScalar(string name, double value) =>
        throw new ArgumentException($"{GetType().Name} has no scalar '{name}'.", nameof(name));

    /// <summary>Allocates a state tensor shaped like the flat parameters, filled with <paramref name="fill"/>, and
    /// returns its per-group views.</summary>
    protected Tensor<T>[] AddState(string name, double fill = 0)
    {
        var tensor = Network.Backend.Allocate<T>(Network.Parameters.Length);
        _tensors.Add((name, tensor));
        if (fill != 0) Network.Backend.Fill(tensor, fill);
        return Groups.Select(g => tensor.View(g.Group.Offset, g.Group.Length)).ToArray();
    }

    /// <summary>Applies one update with learning rate <paramref name="lr"/>; <paramref name="step"/> counts updates
    /// including this one (1 on the first).</summary>
    public void Step(double lr, long step)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (int i = 0; i < Groups.Count; i++)
            if (Groups[i].Group.Length > 0) Update(i, Optimizer.StepFor(Groups[i].Group, lr, step));
    }

    /// <summary>Updates group <paramref name="group"/> with one fused backend call.</summary>
    protected abstract void Update(int group, UpdateStep step);

    /// <summary>Applies the step <see cref="IBackend{T}.BeginStep"/> began on <paramref name="control"/>: one
    /// controlled update per group, which changes nothing when the step was skipped (no host read).</summary>
    public void Step(StepControl<T> control)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(control);
        for (int i = 0; i < Groups.Count; i++)
            if (Groups[i].Group.Length > 0) Update(i, control);
    }

    /// <summary>Updates group <paramref name="group"/> with one controlled backend call reading its record of
    /// <paramref name="control"/>.</summary>
    protected abstract void Update(int group, StepControl<T> control);

    /// <summary>The settings this state passes to its backend update (what a <see cref="StepControl{T}"/> plans).</summary>
    protected abstract object UpdateSettings { get; }

    /// <summary>Whether the eps of step t is eps/√(1 - β₂^t) (Keras' Adam).</summary>
    protected virtual bool EpsOverBiasCorrection => false;

    /// <summary>The plan of a <see cref="StepControl{T}"/> for this state: its settings and every group's penalties.</summary>
    public UpdatePlan Plan(double? maxGradNorm = null)
    {
        var groups = Groups.Select(g => Optimizer.StepFor(g.Group, 0, 1)).Select(s => new GroupPenalties(s.L1, s.L2, s.WeightDecay)).ToArray();
        return new UpdatePlan(UpdateSettings, groups, maxGradNorm, EpsOverBiasCorrection);
    }

    /// <summary>The μ product a device epoch starting after <paramref name="step"/> applied steps continues from
    /// (NAdam; 1 for the others).</summary>
    internal virtual double ProductAt(long step) => 1;

    /// <summary>Takes back the μ product after <paramref name="step"/> applied steps from the device (NAdam).</summary>
    internal virtual void SetProduct(double product, long step)
    {
    }

    /// <summary>Frees the state tensors; harmless twice.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, tensor) in _tensors) tensor.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A parameter group with its views.</summary>
    /// <param name="Group">The range.</param>
    /// <param name="Parameters">Its parameters.</param>
    /// <param name="Gradients">Its gradients.</param>
    protected internal sealed record GroupViews(ParameterGroup Group, Tensor<T> Parameters, Tensor<T> Gradients);
}
