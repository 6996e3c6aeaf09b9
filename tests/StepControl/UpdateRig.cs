using System.Numerics;
using CudaNet.Tests.Optimizers;

namespace CudaNet.Tests.StepControl;

/// <summary>Parameters, gradients and the state tensors of one <see cref="OptimizerCase"/> on one backend, updated
/// either with host scalars or from a step control.</summary>
internal sealed class UpdateRig<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IBackend<T> _backend;
    private readonly OptimizerCase _case;
    private readonly Tensor<T>? _state1, _state2, _state3;

    public UpdateRig(IBackend<T> backend, OptimizerCase optimizerCase, T[] initial)
    {
        _backend = backend;
        _case = optimizerCase;
        Parameters = backend.FromArray(initial);
        Gradients = backend.Allocate<T>(initial.Length);
        Tensor<T> Zeros() => backend.Allocate<T>(initial.Length);
        switch (optimizerCase.Settings)
        {
            case SgdSettings s:
                _state1 = s.Momentum > 0 ? Zeros() : null;
                break;
            case AdagradSettings:
                _state1 = backend.FromArray(Enumerable.Repeat(T.CreateTruncating(optimizerCase.InitialAccumulator), initial.Length).ToArray());
                break;
            case RmsPropSettings s:
                (_state1, _state2, _state3) = (Zeros(), s.Centered ? Zeros() : null, s.Momentum > 0 ? Zeros() : null);
                break;
            case AdamSettings s:
                (_state1, _state2, _state3) = (Zeros(), Zeros(), s.Amsgrad ? Zeros() : null);
                break;
            default:
                (_state1, _state2) = (Zeros(), Zeros());
                break;
        }
    }

    public Tensor<T> Parameters { get; }
    public Tensor<T> Gradients { get; }

    /// <summary>The parameters and every state the case uses, as arrays.</summary>
    public T[][] Snapshot() =>
        new[] { Parameters, _state1, _state2, _state3 }.OfType<Tensor<T>>().Select(t => _backend.ToArray(t)).ToArray();

    /// <summary>The host-scalar update of <paramref name="settings"/> at <paramref name="step"/>.</summary>
    public void HostUpdate(object settings, UpdateStep step, double muProduct)
    {
        var (w, g) = (Parameters, Gradients);
        switch (settings)
        {
            case SgdSettings s: _backend.SgdUpdate(w, g, _state1, s, step); break;
            case AdagradSettings s: _backend.AdagradUpdate(w, g, _state1!, s, step); break;
            case AdadeltaSettings s: _backend.AdadeltaUpdate(w, g, _state1!, _state2!, s, step); break;
            case RmsPropSettings s: _backend.RmsPropUpdate(w, g, _state1!, _state2, _state3, s, step); break;
            case AdamSettings s: _backend.AdamUpdate(w, g, _state1!, _state2!, _state3, s, step); break;
            case AdamaxSettings s: _backend.AdamaxUpdate(w, g, _state1!, _state2!, s, step); break;
            case NadamSettings s: _backend.NadamUpdate(w, g, _state1!, _state2!, s, step, muProduct); break;
            default: throw new ArgumentException($"Unknown settings {settings.GetType()}.", nameof(settings));
        }
    }

    /// <summary>The controlled update of group <paramref name="group"/> of <paramref name="control"/>.</summary>
    public void ControlledUpdate(StepControl<T> control, int group = 0)
    {
        var (w, g) = (Parameters, Gradients);
        switch (_case.Settings)
        {
            case SgdSettings: _backend.SgdUpdate(w, g, _state1, control, group); break;
            case AdagradSettings: _backend.AdagradUpdate(w, g, _state1!, control, group); break;
            case AdadeltaSettings: _backend.AdadeltaUpdate(w, g, _state1!, _state2!, control, group); break;
            case RmsPropSettings: _backend.RmsPropUpdate(w, g, _state1!, _state2, _state3, control, group); break;
            case AdamSettings: _backend.AdamUpdate(w, g, _state1!, _state2!, _state3, control, group); break;
            case AdamaxSettings: _backend.AdamaxUpdate(w, g, _state1!, _state2!, control, group); break;
            case NadamSettings: _backend.NadamUpdate(w, g, _state1!, _state2!, control, group); break;
            default: throw new InvalidOperationException($"Unknown settings {_case.Settings.GetType()}.");
        }
    }

    public void Dispose()
    {
        foreach (var tensor in new[] { Parameters, Gradients, _state1, _state2, _state3 }) tensor?.Dispose();
    }
}
