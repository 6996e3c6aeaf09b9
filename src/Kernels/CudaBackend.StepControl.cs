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
        StepControl<float> control, int group)
    {
        var settings = (SgdSettings)control.Plan.Settings;
        bool momentum = settings.Momentum != 0;
        LaunchControlled(Kernel.SgdUpdateControlled, parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Optional(momentumBuffer, momentum), RecordAddress(control, group) },
            stackalloc int[] { momentum ? 1 : 0, settings.Nesterov ? 1 : 0 });
    }

    /// <inheritdoc/>
    protected override void AdagradUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> sum,
        StepControl<float> control, int group) =>
        LaunchControlled(Kernel.AdagradUpdateControlled, parameters,
            stackalloc ulong[] { Address(parameters), Address(gradients), Address(sum), RecordAddress(control, group) }, []);

    /// <inheritdoc/>
    protected override void AdadeltaUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg,
        Tensor<float> accDelta, StepControl<float> control, int group) =>
        LaunchControlled(Kernel.AdadeltaUpdateControlled, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(squareAvg), Address(accDelta), RecordAddress(control, group),
        }, []);

    /// <inheritdoc/>
    protected override void RmsPropUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> squareAvg,
        Tensor<float>? gradAvg, Tensor<float>? momentumBuffer, StepControl<float> control, int group)
    {
        var settings = (RmsPropSettings)control.Plan.Settings;
        bool momentum = settings.Momentum > 0;
        LaunchControlled(Kernel.RmsPropUpdateControlled, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(squareAvg), Optional(gradAvg, settings.Centered),
            Optional(momentumBuffer, momentum), RecordAddress(control, group),
        }, stackalloc int[] { settings.Centered ? 1 : 0, momentum ? 1 : 0, settings.Nesterov ? 1 : 0 });
    }

    /// <inheritdoc/>
    protected override void AdamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, Tensor<float>? maxExpAvgSq, StepControl<float> control, int group)
    {
        bool amsgrad = ((AdamSettings)control.Plan.Settings).Amsgrad;
        LaunchControlled(Kernel.AdamUpdateControlled, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expAvgSq), Optional(maxExpAvgSq, amsgrad),
            RecordAddress(control, group),
        }, stackalloc int[] { amsgrad ? 1 : 0 });
    }

    /// <inheritdoc/>
    protected override void AdamaxUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expInf, StepControl<float> control, int group) =>
        LaunchControlled(Kernel.AdamaxUpdateControlled, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expInf), RecordAddress(control, group),
        }, []);

    /// <inheritdoc/>
    protected override void NadamUpdateCore(Tensor<float> parameters, Tensor<float> gradients, Tensor<float> expAvg,
        Tensor<float> expAvgSq, StepControl<float> control, int group) =>
        LaunchControlled(Kernel.NadamUpdateControlled, parameters, stackalloc ulong[]
        {
            Address(parameters), Address(gradients), Address(expAvg), Address(expAvgSq), RecordAddress(control, group),
        }, []);

    /// <summary>The device address of <paramref name="group"/>'s record (no view object: a launch allocates nothing).</summary>
    private static unsafe ulong RecordAddress(StepControl<float> control, int group) =>
        Address(control.Records) + (ulong)(group * StepControl<float>.RecordWidth * sizeof(float));

    /// <summary>Launches a controlled optimizer kernel: its array addresses (the record last), its switches, then n.</summary>
    private unsafe void LaunchControlled(Kernel kernel, Tensor<float> parameters, ReadOnlySpan<ulong> arrays, ReadOnlySpan<int> switches)
    {
        int n = parameters.Length;
        Span<nint> pointers = stackalloc nint[arrays.Length + switches.Length + 1];
        fixed (ulong* addresses = arrays)
        fixed (int* switchValues = switches)
        {
            int p = 0;
            for (int i = 0; i < arrays.Length; i++) pointers[p++] = (nint)(addresses + i);
            for (int i = 0; i < switches.Length; i++) pointers[p++] = (nint)(switchValues + i);
            pointers[p] = (nint)(&n);
            Launch(kernel, UpdateShape(n, Multiprocessors), pointers);
        }
    }
}
