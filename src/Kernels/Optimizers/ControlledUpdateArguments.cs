using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CudaNet.Cuda;

/// <summary>
/// The launch of one controlled optimizer kernel (<c>&lt;optimizer&gt;_update_controlled</c>, kernels.cu) without its
/// arrays: the kernel, how many device pointers it takes (parameters, gradients, one per state slot, the record), and
/// its int switches in parameter order (the launcher appends n). The switches are the optimizer's static settings, so
/// every step launches the same arguments. A value type with inline storage: building one allocates nothing.
/// </summary>
internal struct ControlledUpdateArguments
{
    /// <summary>The most switches of any controlled kernel (RMSprop: centered, momentum, Nesterov).</summary>
    public const int MaxInts = 3;

    private IntList _ints;

    private ControlledUpdateArguments(Kernel kernel, int states)
    {
        Kernel = kernel;
        Arrays = 2 + states + 1;
    }

    /// <summary>The kernel to launch.</summary>
    public Kernel Kernel { get; }

    /// <summary>The device pointers it takes first: parameters, gradients, the state slots, the group's record.</summary>
    public int Arrays { get; }

    /// <summary>The int switches before n, in parameter order.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<int> Ints => ((ReadOnlySpan<int>)_ints)[..IntCount];

    private int IntCount { get; set; }

    /// <summary>The arguments of the update <paramref name="plan"/> describes.</summary>
    public static ControlledUpdateArguments For(UpdatePlan plan)
    {
        switch (plan.Settings)
        {
            case SgdSettings s:
            {
                var arguments = new ControlledUpdateArguments(Kernel.SgdUpdateControlled, 1);
                arguments.Add(s.Momentum != 0);
                arguments.Add(s.Nesterov);
                return arguments;
            }
            case AdagradSettings:
                return new ControlledUpdateArguments(Kernel.AdagradUpdateControlled, 1);
            case AdadeltaSettings:
                return new ControlledUpdateArguments(Kernel.AdadeltaUpdateControlled, 2);
            case RmsPropSettings s:
            {
                var arguments = new ControlledUpdateArguments(Kernel.RmsPropUpdateControlled, 3);
                arguments.Add(s.Centered);
                arguments.Add(s.Momentum > 0);
                arguments.Add(s.Nesterov);
                return arguments;
            }
            case AdamSettings s:
            {
                var arguments = new ControlledUpdateArguments(Kernel.AdamUpdateControlled, 3);
                arguments.Add(s.Amsgrad);
                return arguments;
            }
            case AdamaxSettings:
                return new ControlledUpdateArguments(Kernel.AdamaxUpdateControlled, 2);
            case NadamSettings:
                return new ControlledUpdateArguments(Kernel.NadamUpdateControlled, 2);
            default:
                throw new ArgumentException($"No controlled kernel for {plan.Settings.GetType().Name}.", nameof(plan));
        }
    }

    private void Add(bool value) => _ints[IntCount++] = value ? 1 : 0;

    [InlineArray(MaxInts)]
    private struct IntList
    {
        private int _element;
    }
}
