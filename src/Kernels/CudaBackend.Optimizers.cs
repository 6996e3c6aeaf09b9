namespace CudaNet.Cuda;

// Optimizers family: one fused kernel per optimizer over the flat range (kernels.cu, "Optimizers family"). The
// per-step scalars come from UpdateCoefficients, shared with the CPU kernels, so the GPU applies the same rounded
// coefficients with the same element operations and its results are bit-identical to the CPU's float path. An
// optional state that is off (SGD momentum 0, RMSprop not centered or without momentum, Adam without AMSGrad)
// is passed as a null pointer even when the caller supplied a tensor: the CPU leaves such a tensor untouched too.
public sealed partial class CudaBackend
{
    /// <summary>The launch of an optimizer kernel over <paramref name="elements"/>: one grid-stride item per float4
    /// quad (the aligned fast path), capped to fill the device; the scalar path covers the same range with the
    /// same grid.</summary>
    internal static LaunchShape UpdateShape(int elements, int multiprocessors) =>
        LaunchGeometry.Elementwise((elements + 3L) / 4, multiprocessors);

    /// <inheritdoc/>
    protected override void SgdUpdateCore(Tensor<float> parameters, Tensor<float> gradients,
        Tensor<float>? momentumBuffer, SgdSettings settings, UpdateStep step)
    {
        var c = SgdCoefficients<float>.From(settings, step);
        LaunchUpdate(OptimizerArguments.Sgd(c), parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Optional(momentumBuffer, c.UsesMomentum),
        });
    }

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> sum,
        AdagradSettings settings, UpdateStep step) =>
        LaunchUpdate(OptimizerArguments.Adagrad(AdagradCoefficients<float>.From(settings, step)), parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Address(sum) });

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<float> parameters, Tensor<float> gradients,
        Tensor<float> squareAvg, Tensor<float> accDelta, AdadeltaSettings settings, UpdateStep step) =>
        LaunchUpdate(OptimizerArguments.Adadelta(AdadeltaCoefficients<float>.From(settings, step)), parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Address(squareAvg), Address(accDelta) });

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<float> parameters, Tensor<float> gradients,
        Tensor<float> squareAvg, Tensor<float>? gradAvg, Tensor<float>? momentumBuffer, RmsPropSettings settings,
        UpdateStep step)
    {
        var c = RmsPropCoefficients<float>.From(settings, step);
        LaunchUpdate(OptimizerArguments.RmsProp(c), parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(squareAvg), Optional(gradAvg, c.Centered),
            Optional(momentumBuffer, c.UsesMomentum),
        });
    }

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, Tensor<float>? maxExpAvgSq, AdamSettings settings, UpdateStep step)
    {
        var c = AdamCoefficients<float>.From(settings, step);
        LaunchUpdate(OptimizerArguments.Adam(c), parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expAvgSq), Optional(maxExpAvgSq, c.Amsgrad),
        });
    }

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expInf, AdamaxSettings settings, UpdateStep step) =>
        LaunchUpdate(OptimizerArguments.Adamax(AdamaxCoefficients<float>.From(settings, step)), parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Address(expAvg), Address(expInf) });

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, NadamSettings settings, UpdateStep step, double muProduct) =>
        LaunchUpdate(OptimizerArguments.Nadam(NadamCoefficients<float>.From(settings, step, muProduct)), parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Address(expAvg), Address(expAvgSq) });

    /// <summary>The device address of an optional state, or 0 (null) when the optimizer does not use it.</summary>
    private static ulong Optional(Tensor<float>? state, bool used) => used ? Address(state!) : 0;

    /// <summary>Launches an optimizer kernel with its parameters in order: the array addresses, the floats and ints
    /// of <paramref name="arguments"/>, then n. Everything lives on the stack: a launch allocates nothing.</summary>
    private unsafe void LaunchUpdate(OptimizerArguments arguments, Tensor<float> parameters, ReadOnlySpan<ulong> arrays)
    {
        if (arrays.Length != arguments.Arrays)
            throw new InvalidOperationException($"{KernelNames.Of(arguments.Kernel)} takes {arguments.Arrays} arrays, " +
                                                $"not {arrays.Length}.");
        int n = parameters.Length;
        ReadOnlySpan<float> floats = arguments.Floats;
        ReadOnlySpan<int> ints = arguments.Ints;
        Span<nint> pointers = stackalloc nint[arrays.Length + floats.Length + ints.Length + 1];
        fixed (ulong* addresses = arrays)
        fixed (float* floatValues = floats)
        fixed (int* intValues = ints)
        {
            int p = 0;
            for (int i = 0; i < arrays.Length; i++) pointers[p++] = (nint)(addresses + i);
            for (int i = 0; i < floats.Length; i++) pointers[p++] = (nint)(floatValues + i);
            for (int i = 0; i < ints.Length; i++) pointers[p++] = (nint)(intValues + i);
            pointers[p] = (nint)(&n);
            Launch(arguments.Kernel, UpdateShape(n, Multiprocessors), pointers);
        }
    }
}
