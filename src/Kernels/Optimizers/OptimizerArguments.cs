using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CudaNet.Cuda;

/// <summary>
/// The launch of one fused optimizer kernel (kernels.cu, "Optimizers family") without its arrays: the kernel, how
/// many array pointers it takes, and its scalar arguments in parameter order (the floats, then the ints; the
/// launcher appends n last). Built from the same <c>UpdateCoefficients</c> records as the CPU kernels, so both
/// backends step with the same rounded scalars. A value type with inline storage: building one allocates nothing.
/// </summary>
internal struct OptimizerArguments
{
    /// <summary>The most floats of any optimizer kernel (NAdam: the 3 penalty floats and 8 of its own).</summary>
    public const int MaxFloats = 11;

    /// <summary>The most ints of any optimizer kernel before n (SGD and RMSprop: penalize and 3 switches).</summary>
    public const int MaxInts = 4;

    private FloatList _floats;
    private IntList _ints;

    private OptimizerArguments(Kernel kernel, int states, in PenaltyCoefficients<float> penalty)
    {
        Kernel = kernel;
        Arrays = 2 + states;
        Add(penalty.L1);
        Add(penalty.L2);
        Add(penalty.DecayFactor);
        Add(penalty.PenalizesGradient);
    }

    /// <summary>The kernel to launch.</summary>
    public Kernel Kernel { get; }

    /// <summary>The array pointers it takes first: parameters, gradients, then one per state slot (null for an
    /// optional state that is off).</summary>
    public int Arrays { get; }

    /// <summary>The float arguments, in parameter order.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<float> Floats => ((ReadOnlySpan<float>)_floats)[..FloatCount];

    /// <summary>The int arguments before n (switches are 0 or 1), in parameter order.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<int> Ints => ((ReadOnlySpan<int>)_ints)[..IntCount];

    private int FloatCount { get; set; }

    private int IntCount { get; set; }

    /// <summary><c>sgd_update_forward</c>: state slot momentum buffer.</summary>
    public static OptimizerArguments Sgd(in SgdCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.SgdUpdateForward, 1, c.Penalty);
        arguments.Add(c.NegativeLr);
        arguments.Add(c.Momentum);
        arguments.Add(c.OneMinusDampening);
        arguments.Add(c.UsesMomentum);
        arguments.Add(c.Nesterov);
        arguments.Add(c.FirstStep);
        return arguments;
    }

    /// <summary><c>adagrad_update_forward</c>: state slot sum.</summary>
    public static OptimizerArguments Adagrad(in AdagradCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.AdagradUpdateForward, 1, c.Penalty);
        arguments.Add(c.NegativeClr);
        arguments.Add(c.Eps);
        return arguments;
    }

    /// <summary><c>adadelta_update_forward</c>: state slots square average, accumulated delta.</summary>
    public static OptimizerArguments Adadelta(in AdadeltaCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.AdadeltaUpdateForward, 2, c.Penalty);
        arguments.Add(c.Rho);
        arguments.Add(c.OneMinusRho);
        arguments.Add(c.Eps);
        arguments.Add(c.NegativeLr);
        return arguments;
    }

    /// <summary><c>rmsprop_update_forward</c>: state slots square average, gradient average, momentum buffer.</summary>
    public static OptimizerArguments RmsProp(in RmsPropCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.RmsPropUpdateForward, 3, c.Penalty);
        arguments.Add(c.Alpha);
        arguments.Add(c.OneMinusAlpha);
        arguments.Add(c.Eps);
        arguments.Add(c.Momentum);
        arguments.Add(c.NegativeLr);
        arguments.Add(c.Centered);
        arguments.Add(c.UsesMomentum);
        arguments.Add(c.Nesterov);
        return arguments;
    }

    /// <summary><c>adam_update_forward</c>: state slots m, v, AMSGrad's max of v.</summary>
    public static OptimizerArguments Adam(in AdamCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.AdamUpdateForward, 3, c.Penalty);
        arguments.Add(c.Beta1);
        arguments.Add(c.OneMinusBeta1);
        arguments.Add(c.Beta2);
        arguments.Add(c.OneMinusBeta2);
        arguments.Add(c.NegativeStepSize);
        arguments.Add(c.BiasCorrection2Sqrt);
        arguments.Add(c.Eps);
        arguments.Add(c.Amsgrad);
        return arguments;
    }

    /// <summary><c>adamax_update_forward</c>: state slots m, u.</summary>
    public static OptimizerArguments Adamax(in AdamaxCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.AdamaxUpdateForward, 2, c.Penalty);
        arguments.Add(c.Beta1);
        arguments.Add(c.OneMinusBeta1);
        arguments.Add(c.Beta2);
        arguments.Add(c.Eps);
        arguments.Add(c.NegativeClr);
        return arguments;
    }

    /// <summary><c>nadam_update_forward</c>: state slots m, v.</summary>
    public static OptimizerArguments Nadam(in NadamCoefficients<float> c)
    {
        var arguments = new OptimizerArguments(Kernel.NadamUpdateForward, 2, c.Penalty);
        arguments.Add(c.Beta1);
        arguments.Add(c.OneMinusBeta1);
        arguments.Add(c.Beta2);
        arguments.Add(c.OneMinusBeta2);
        arguments.Add(c.BiasCorrection2);
        arguments.Add(c.Eps);
        arguments.Add(c.GradientStep);
        arguments.Add(c.AverageStep);
        return arguments;
    }

    private void Add(float value) => _floats[FloatCount++] = value;

    private void Add(bool value) => _ints[IntCount++] = value ? 1 : 0;

    [InlineArray(MaxFloats)]
    private struct FloatList
    {
        private float _element;
    }

    [InlineArray(MaxInts)]
    private struct IntList
    {
        private int _element;
    }
}
