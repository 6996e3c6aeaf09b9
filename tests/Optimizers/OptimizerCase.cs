using System.Numerics;

namespace CudaNet.Tests.Optimizers;

/// <summary>One optimizer configuration: which op (from the type of <see cref="Settings"/>), its hyperparameters
/// and the <see cref="UpdateStep"/> extras.</summary>
public sealed record OptimizerCase(
    string Name, object Settings, double LearningRate, double L1 = 0, double L2 = 0, double WeightDecay = 0,
    double InitialAccumulator = 0)
{
    public override string ToString() => Name;

    // Each settings record names one argument: `new AdamSettings()` is the all-zero struct, not the PyTorch defaults
    // of the primary constructor.

    /// <summary>The cases of tests/golden/optimizers.py, by the same names (PyTorch weight_decay = L2, AdamW's = WeightDecay).</summary>
    public static IEnumerable<OptimizerCase> Golden =>
    [
        new("SgdPlain", new SgdSettings(Momentum: 0), 0.1),
        new("SgdMomentum", new SgdSettings(Momentum: 0.9), 0.1),
        new("SgdDampening", new SgdSettings(Momentum: 0.9, Dampening: 0.5), 0.1),
        new("SgdNesterov", new SgdSettings(Momentum: 0.9, Nesterov: true), 0.1),
        new("SgdMomentumL2", new SgdSettings(Momentum: 0.9), 0.1, L2: 0.01),
        new("Adagrad", new AdagradSettings(LrDecay: 0), 1e-2),
        new("AdagradLrDecay", new AdagradSettings(LrDecay: 0.01), 1e-2),
        new("AdagradInitialAccumulator", new AdagradSettings(LrDecay: 0), 1e-2, InitialAccumulator: 0.1),
        new("Adadelta", new AdadeltaSettings(Rho: 0.9), 1.0),
        new("RmsProp", new RmsPropSettings(Centered: false), 1e-2),
        new("RmsPropCentered", new RmsPropSettings(Centered: true), 1e-2),
        new("RmsPropMomentum", new RmsPropSettings(Momentum: 0.9), 1e-2),
        new("RmsPropCenteredMomentum", new RmsPropSettings(Momentum: 0.9, Centered: true), 1e-2),
        new("Adam", new AdamSettings(Amsgrad: false), 1e-3),
        new("AdamL2", new AdamSettings(Amsgrad: false), 1e-3, L2: 0.01),
        new("AmsGrad", new AdamSettings(Amsgrad: true), 1e-3),
        new("AdamW", new AdamSettings(Amsgrad: false), 1e-3, WeightDecay: 0.01),
        new("Adamax", new AdamaxSettings(Beta1: 0.9), 2e-3),
        new("Nadam", new NadamSettings(MomentumDecay: 4e-3), 2e-3),
    ];

    /// <summary>The golden cases plus what PyTorch has no equivalent for (L1, decay on every optimizer, RMSprop
    /// with Nesterov) and every switch combined with penalties.</summary>
    public static IEnumerable<OptimizerCase> All => Golden.Concat(
    [
        new("SgdNesterovElasticNetDecay", new SgdSettings(Momentum: 0.8, Nesterov: true), 0.05, L1: 0.01, L2: 0.02, WeightDecay: 0.1),
        new("SgdDampeningL1", new SgdSettings(Momentum: 0.9, Dampening: 0.3), 0.1, L1: 0.05),
        new("AdagradPenalized", new AdagradSettings(LrDecay: 0.1), 0.1, L1: 0.01, L2: 0.01, WeightDecay: 0.05, InitialAccumulator: 0.5),
        new("AdadeltaPenalized", new AdadeltaSettings(Rho: 0.5), 0.5, L1: 0.02, L2: 0.03, WeightDecay: 0.1),
        new("RmsPropNesterov", new RmsPropSettings(Momentum: 0.9, Nesterov: true), 1e-2),
        new("RmsPropCenteredNesterovPenalized", new RmsPropSettings(Momentum: 0.5, Centered: true, Nesterov: true), 1e-2, L1: 0.01, L2: 0.01, WeightDecay: 0.1),
        new("AdamWAmsGradL1", new AdamSettings(Amsgrad: true), 1e-2, L1: 0.01, WeightDecay: 0.1),
        new("AdamaxPenalized", new AdamaxSettings(Beta1: 0.5), 1e-2, L1: 0.01, L2: 0.02, WeightDecay: 0.1),
        new("NadamPenalized", new NadamSettings(MomentumDecay: 0.1), 1e-2, L1: 0.01, L2: 0.02, WeightDecay: 0.1),
    ]);
}

/// <summary>The parameters and every state tensor of one <see cref="OptimizerCase"/> on one backend.</summary>
internal sealed class OptimizerRun<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IBackend<T> _backend;
    private readonly OptimizerCase _case;
    private readonly Tensor<T> _parameters, _gradients;
    private readonly Tensor<T>? _state1, _state2, _state3;
    private readonly List<Tensor<T>> _owners = [];

    /// <param name="backend">Where the tensors live.</param>
    /// <param name="optimizerCase">The optimizer configuration.</param>
    /// <param name="initial">The initial parameters.</param>
    /// <param name="offset">Elements before each tensor in its storage: every tensor is then a view at that offset
    /// (an offset that is not a multiple of 4 makes the ranges not 16-byte aligned).</param>
    public OptimizerRun(IBackend<T> backend, OptimizerCase optimizerCase, T[] initial, int offset = 0)
    {
        _backend = backend;
        _case = optimizerCase;
        Tensor<T> Place(T[] data)
        {
            var owner = backend.FromArray(new T[data.Length + offset]);
            _owners.Add(owner);
            var tensor = owner.View(offset, data.Length);
            backend.Upload(tensor, data);
            return tensor;
        }
        _parameters = Place(initial);
        _gradients = Place(new T[initial.Length]);
        Tensor<T> Zeros() => Place(new T[initial.Length]);
        switch (optimizerCase.Settings)
        {
            case SgdSettings s:
                _state1 = s.Momentum > 0 ? Zeros() : null;
                break;
            case AdagradSettings:
                _state1 = Place(Enumerable.Repeat(T.CreateTruncating(optimizerCase.InitialAccumulator), initial.Length).ToArray());
                break;
            case RmsPropSettings s:
                _state1 = Zeros();
                _state2 = s.Centered ? Zeros() : null;
                _state3 = s.Momentum > 0 ? Zeros() : null;
                break;
            case AdamSettings s:
                (_state1, _state2, _state3) = (Zeros(), Zeros(), s.Amsgrad ? Zeros() : null);
                break;
            default: // Adadelta, Adamax, NAdam: two states
                (_state1, _state2) = (Zeros(), Zeros());
                break;
        }
    }

    /// <summary>Applies update number <paramref name="step"/> (1-based) with this gradient.</summary>
    public void Step(T[] gradient, long step)
    {
        _backend.Upload(_gradients, gradient);
        var c = _case;
        var update = new UpdateStep(c.LearningRate, step, c.L1, c.L2, c.WeightDecay);
        switch (c.Settings)
        {
            case SgdSettings s: _backend.SgdUpdate(_parameters, _gradients, _state1, s, update); break;
            case AdagradSettings s: _backend.AdagradUpdate(_parameters, _gradients, _state1!, s, update); break;
            case AdadeltaSettings s: _backend.AdadeltaUpdate(_parameters, _gradients, _state1!, _state2!, s, update); break;
            case RmsPropSettings s: _backend.RmsPropUpdate(_parameters, _gradients, _state1!, _state2, _state3, s, update); break;
            case AdamSettings s: _backend.AdamUpdate(_parameters, _gradients, _state1!, _state2!, _state3, s, update); break;
            case AdamaxSettings s: _backend.AdamaxUpdate(_parameters, _gradients, _state1!, _state2!, s, update); break;
            case NadamSettings s: _backend.NadamUpdate(_parameters, _gradients, _state1!, _state2!, s, update, s.MuProduct(step)); break;
            default: throw new ArgumentException($"Unknown settings {c.Settings.GetType()}.", nameof(gradient));
        }
    }

    /// <summary>Overwrites every state tensor the case uses with <paramref name="values"/> (extreme-value tests).</summary>
    public void UploadStates(T[] values)
    {
        foreach (var state in new[] { _state1, _state2, _state3 })
            if (state is not null) _backend.Upload(state, values);
    }

    /// <summary>The current parameters.</summary>
    public T[] Parameters => _backend.ToArray(_parameters);

    /// <summary>The current state tensors (those the case uses), in argument order.</summary>
    public IEnumerable<T[]> States =>
        new[] { _state1, _state2, _state3 }.Where(s => s is not null).Select(s => _backend.ToArray(s!));

    public void Dispose()
    {
        foreach (var owner in _owners) owner.Dispose();
    }
}
