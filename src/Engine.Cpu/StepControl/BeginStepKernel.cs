using System.Numerics;

namespace CudaNet.Cpu;

/// <summary>
/// <see cref="IBackend{T}.BeginStep"/> on the CPU, where the control block is host memory: the reference the
/// device's <c>begin_step</c> (kernels.cu) is tested against. The records come from the <c>…Coefficients.From</c>
/// of UpdateCoefficients.cs, i.e. exactly what the host-scalar updates would use at the same (lr, t).
/// </summary>
internal static class BeginStepKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static void Run(StepControl<T> control, Tensor<T> squaredNorm, Tensor<T> loss)
    {
        Span<double> state = CpuBackend<T>.Span(control.State);
        Span<T> records = CpuBackend<T>.Span(control.Records);
        long attempt = (long)state[StepControl<T>.Attempts];
        state[StepControl<T>.Attempts] = attempt + 1;
        if (attempt >= state[StepControl<T>.RateCount])
        {
            // No learning rate for this attempt: nothing applies, and ReadCounters reports it.
            state[StepControl<T>.Overrun] = 1;
            NotApplied(state, records);
            return;
        }
        double squared = double.CreateTruncating(CpuBackend<T>.Span(squaredNorm)[0]);
        double lossValue = double.CreateTruncating(CpuBackend<T>.Span(loss)[0]);
        if (!double.IsFinite(squared) || !double.IsFinite(lossValue))
        {
            state[StepControl<T>.Skipped] += 1;
            NotApplied(state, records);
            return;
        }
        var plan = control.Plan;
        // PyTorch's clip_grad_norm_, as the host-scalar path scales: Scale(g, g, max/(‖g‖ + 1e-6)) rounds to T.
        T factor = plan.MaxGradNorm is { } max && Math.Sqrt(squared) > max
            ? T.CreateTruncating(max / (Math.Sqrt(squared) + 1e-6))
            : T.One;
        long t = (long)state[StepControl<T>.EffectiveStep] + 1;
        state[StepControl<T>.EffectiveStep] = t;
        state[StepControl<T>.Applies] = 1;
        state[StepControl<T>.Factor] = double.CreateTruncating(factor);
        double lr = CpuBackend<T>.Span(control.LearningRates)[(int)attempt];
        if (plan.Settings is NadamSettings nadam) state[StepControl<T>.MuProduct] *= nadam.Mu(t);
        double muProduct = state[StepControl<T>.MuProduct];
        for (int g = 0; g < control.Groups; g++)
        {
            var penalties = plan.Groups[g];
            var step = new UpdateStep(lr, t, penalties.L1, penalties.L2, penalties.WeightDecay);
            WriteRecord(records.Slice(g * StepRecord<T>.Width, StepRecord<T>.Width), factor, plan, step, muProduct);
        }
    }

    private static void WriteRecord(Span<T> record, T factor, UpdatePlan plan, UpdateStep step, double muProduct)
    {
        switch (plan.Settings)
        {
            case SgdSettings s:
                StepRecord<T>.Write(record, factor, SgdCoefficients<T>.From(s, step));
                break;
            case AdagradSettings s:
                StepRecord<T>.Write(record, factor, AdagradCoefficients<T>.From(s, step));
                break;
            case AdadeltaSettings s:
                StepRecord<T>.Write(record, factor, AdadeltaCoefficients<T>.From(s, step));
                break;
            case RmsPropSettings s:
                StepRecord<T>.Write(record, factor, RmsPropCoefficients<T>.From(s, step));
                break;
            case AdamSettings s:
                // Keras' Adam: PyTorch's update with eps/√bc₂ in place of eps (Adam.cs).
                if (plan.EpsOverBiasCorrection) s = s with { Eps = s.Eps / Math.Sqrt(1 - Math.Pow(s.Beta2, step.Step)) };
                StepRecord<T>.Write(record, factor, AdamCoefficients<T>.From(s, step));
                break;
            case AdamaxSettings s:
                StepRecord<T>.Write(record, factor, AdamaxCoefficients<T>.From(s, step));
                break;
            case NadamSettings s:
                StepRecord<T>.Write(record, factor, NadamCoefficients<T>.From(s, step, muProduct));
                break;
            default:
                throw new InvalidOperationException($"BeginStep: unknown optimizer settings {plan.Settings.GetType().Name}.");
        }
    }

    private static void NotApplied(Span<double> state, Span<T> records)
    {
        state[StepControl<T>.Applies] = 0;
        for (int at = StepRecord<T>.Applies; at < records.Length; at += StepRecord<T>.Width) records[at] = T.Zero;
    }
}
