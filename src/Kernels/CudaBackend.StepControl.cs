namespace CudaNet.Cuda;

// Step control (kernels.cu, "Step control family" and the _controlled optimizer kernels): BeginStep is one thread
// that decides, clips, counts and writes the coefficient records; each controlled update reads its group's record on
// the device. Every launch takes only device pointers and the static switches of the optimizer, so a step launches
// the same arguments every time (what a captured CUDA graph needs) and never waits for the device.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    protected override unsafe void BeginStepCore(StepControl<float> control, Tensor<float> squaredNorm, Tensor<float> loss)
    {
        ulong state = Address(control.State), plan = Address(control.PlanValues), rates = Address(control.LearningRates);
        ulong powers = Address(control.Powers), records = Address(control.Records), norm = Address(squaredNorm), value = Address(loss);
        Launch(Kernel.BeginStep, new LaunchShape(1, 1), stackalloc nint[]
        {
            (nint)(&state), (nint)(&plan), (nint)(&rates), (nint)(&powers), (nint)(&records), (nint)(&norm), (nint)(&value),
        });
    }

    /// <inheritdoc/>
    protected override unsafe void CopyIfSkippedCore(Tensor<float> y, Tensor<float> x, StepControl<float> control)
    {
        ulong destination = Address(y), source = Address(x), state = Address(control.State);
        int n = x.Length;
        Launch(Kernel.CopyIfSkipped, LaunchGeometry.Elementwise(n, Multiprocessors), stackalloc nint[]
        {
            (nint)(&destination), (nint)(&source), (nint)(&state), (nint)(&n),
        });
    }

    /// <inheritdoc/>
    protected override void SgdUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float>? momentumBuffer,
        StepControl<float> control, int group) =>
        LaunchControlled(control, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Optional(momentumBuffer, ((SgdSettings)control.Plan.Settings).Momentum != 0),
            RecordAddress(control, group),
        });

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> sum,
        StepControl<float> control, int group) =>
        LaunchControlled(control, parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Address(sum), RecordAddress(control, group) });

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg,
        Tensor<float> accDelta, StepControl<float> control, int group) =>
        LaunchControlled(control, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(squareAvg), Address(accDelta), RecordAddress(control, group),
        });

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg,
        Tensor<float>? gradAvg, Tensor<float>? momentumBuffer, StepControl<float> control, int group)
    {
        var settings = (RmsPropSettings)control.Plan.Settings;
        LaunchControlled(control, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(squareAvg), Optional(gradAvg, settings.Centered),
            Optional(momentumBuffer, settings.Momentum > 0), RecordAddress(control, group),
        });
    }

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, Tensor<float>? maxExpAvgSq, StepControl<float> control, int group) =>
        LaunchControlled(control, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expAvgSq),
            Optional(maxExpAvgSq, ((AdamSettings)control.Plan.Settings).Amsgrad), RecordAddress(control, group),
        });

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expInf, StepControl<float> control, int group) =>
        LaunchControlled(control, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expInf), RecordAddress(control, group),
        });

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, StepControl<float> control, int group) =>
        LaunchControlled(control, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expAvgSq), RecordAddress(control, group),
        });

    /// <summary>The device address of <paramref name="group"/>'s record (no view object: a launch allocates nothing).</summary>
    private static unsafe ulong RecordAddress(StepControl<float> control, int group) =>
        Address(control.Records) + (ulong)(group * StepControl<float>.RecordWidth * sizeof(float));

    /// <summary>Launches the controlled kernel of <paramref name="control"/>'s optimizer: its array addresses (the
    /// record last), its switches (<see cref="ControlledUpdateArguments"/>), then n. Everything lives on the stack.</summary>
    private unsafe void LaunchControlled(StepControl<float> control, Tensor<float> parameters, ReadOnlySpan<ulong> arrays)
    {
        var arguments = ControlledUpdateArguments.For(control.Plan);
        if (arrays.Length != arguments.Arrays)
            throw new InvalidOperationException($"{KernelNames.Of(arguments.Kernel)} takes {arguments.Arrays} arrays, not {arrays.Length}.");
        int n = parameters.Length;
        ReadOnlySpan<int> switches = arguments.Ints;
        Span<nint> pointers = stackalloc nint[arrays.Length + switches.Length + 1];
        fixed (ulong* addresses = arrays)
        fixed (int* switchValues = switches)
        {
            int p = 0;
            for (int i = 0; i < arrays.Length; i++) pointers[p++] = (nint)(addresses + i);
            for (int i = 0; i < switches.Length; i++) pointers[p++] = (nint)(switchValues + i);
            pointers[p] = (nint)(&n);
            Launch(arguments.Kernel, UpdateShape(n, Multiprocessors), pointers);
        }
    }
}
