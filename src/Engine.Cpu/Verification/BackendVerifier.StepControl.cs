namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    /// <summary>The steps of a step-control case: ‖g‖² and the loss of each (a NaN loss skips, ‖g‖² = 9 clips at 1).</summary>
    private static readonly (float SquaredNorm, float Loss)[] ControlledSteps = [(0.25f, 1), (9, 1), (0.25f, float.NaN), (9, 0.5f)];

    /// <summary>
    /// BeginStep (its records copied out, bit-exact), the controlled form of every optimizer over several steps, one
    /// clipped and one skipped (compared like the host-scalar updates), CopyIfSkipped on a skipped and an applied
    /// step, and a few rejected calls. Each side builds its own <see cref="StepControl{T}"/> from the same plan.
    /// </summary>
    private static void StepControl(VerificationHarness h)
    {
        foreach (var variant in OptimizerVariants)
        {
            var plan = PlanOf(variant, groups: 2);
            foreach (var (norm, loss) in ControlledSteps)
            {
                var records = h.Output("records", h.Garbage(2 * StepControl<float>.RecordWidth), VerificationTolerance.BitExact,
                    2 * StepControl<float>.RecordWidth);
                var inputs = h.Input("norm and loss", [norm, loss], 2);
                h.Check(nameof(IBackend<float>.BeginStep), $"{variant.Name} ‖g‖² {norm} loss {loss}", (b, s) =>
                {
                    using var control = Started(b, plan);
                    b.BeginStep(control, inputs[s].View(0, 1), inputs[s].View(1, 1));
                    b.Copy(records[s], control.Records);
                });
            }
            // The host-scalar cases already cover the largest lengths' chunking; these check the record path.
            foreach (int n in h.Sizes.OptimizerLengths.Where(n => n < 100_000)) ControlledUpdateCase(h, variant, n);
        }
        var factor = h.Output("factor", h.Garbage(1), VerificationTolerance.BitExact, 1);
        var clipped = h.Input("norm and loss", [1e4f, 2], 2);
        h.Check(nameof(IBackend<float>.BeginStep), "clip factor only", (b, s) =>
        {
            using var control = Started(b, PlanOf(OptimizerVariants[0], groups: 1));
            b.BeginStep(control, clipped[s].View(0, 1), clipped[s].View(1, 1));
            b.Copy(factor[s], control.Records.View(StepRecord<float>.Factor, 1));
        });
        var none = h.Output("records", Array.Empty<float>(), VerificationTolerance.BitExact, 0);
        var finite = h.Input("norm and loss", [1f, 2f], 2);
        h.Check(nameof(IBackend<float>.BeginStep), "no groups", (b, s) =>
        {
            using var control = Started(b, PlanOf(OptimizerVariants[0], groups: 0));
            b.BeginStep(control, finite[s].View(0, 1), finite[s].View(1, 1));
            b.Copy(none[s], control.Records);
        });
        foreach (int n in h.Sizes.Lengths)
            foreach (bool skip in new[] { true, false })
            {
                var y = h.Output("y", h.Garbage(n), VerificationTolerance.BitExact, n);
                var x = h.Input("x", h.Uniform(n), n);
                var step = h.Input("norm and loss", [1f, skip ? float.PositiveInfinity : 1f], 2);
                h.Check(nameof(IBackend<float>.CopyIfSkipped), $"n={n} {(skip ? "skipped" : "applied")}", (b, s) =>
                {
                    using var control = Started(b, PlanOf(OptimizerVariants[0], groups: 1));
                    b.BeginStep(control, step[s].View(0, 1), step[s].View(1, 1));
                    b.CopyIfSkipped(y[s], x[s], control);
                });
            }
        StepControlBadArguments(h);
    }

    /// <summary>The steps of <see cref="ControlledSteps"/> through the controlled update of one optimizer variant.</summary>
    private static void ControlledUpdateCase(VerificationHarness h, OptimizerVariant v, int n)
    {
        var parameters = h.Output("parameters", h.Uniform(n, -2, 2), Pointwise, n);
        var gradients = h.Input("gradients", h.Uniform(ControlledSteps.Length * n, -1, 1), ControlledSteps.Length * n);
        var scalars = h.Input("norm and loss", ControlledSteps.SelectMany(step => new[] { step.SquaredNorm, step.Loss }).ToArray(),
            2 * ControlledSteps.Length);
        var (first, second, third) = v.Settings switch
        {
            SgdSettings o => (o.Momentum > 0 ? State(h, "momentumBuffer", n) : null, null, null),
            AdagradSettings => (h.Output("sum", Enumerable.Repeat((float)v.InitialAccumulator, n).ToArray(), Pointwise, n), null, null),
            RmsPropSettings o => (State(h, "squareAvg", n), o.Centered ? State(h, "gradAvg", n) : null, o.Momentum > 0 ? State(h, "momentumBuffer", n) : null),
            AdamSettings o => (State(h, "expAvg", n), State(h, "expAvgSq", n), o.Amsgrad ? State(h, "maxExpAvgSq", n) : null),
            _ => (State(h, "first state", n), State(h, "second state", n), (TwinTensor<float>?)null),
        };
        var plan = PlanOf(v, groups: 1);
        h.Check(OpOf(v.Settings), $"{v.Name} n={n} controlled, clipped and skipped steps", (b, s) =>
        {
            using var control = Started(b, plan);
            for (int t = 0; t < ControlledSteps.Length; t++)
            {
                var w = parameters[s];
                var g = gradients[s].View(t * n, n);
                b.BeginStep(control, scalars[s].View(2 * t, 1), scalars[s].View(2 * t + 1, 1));
                switch (v.Settings)
                {
                    case SgdSettings: b.SgdUpdate(w, g, first?[s], control, 0); break;
                    case AdagradSettings: b.AdagradUpdate(w, g, first![s], control, 0); break;
                    case AdadeltaSettings: b.AdadeltaUpdate(w, g, first![s], second![s], control, 0); break;
                    case RmsPropSettings: b.RmsPropUpdate(w, g, first![s], second?[s], third?[s], control, 0); break;
                    case AdamSettings: b.AdamUpdate(w, g, first![s], second![s], third?[s], control, 0); break;
                    case AdamaxSettings: b.AdamaxUpdate(w, g, first![s], second![s], control, 0); break;
                    case NadamSettings: b.NadamUpdate(w, g, first![s], second![s], control, 0); break;
                }
            }
        });
    }

    private static void StepControlBadArguments(VerificationHarness h)
    {
        var plan = PlanOf(OptimizerVariants[0], groups: 1);
        var scalars = h.Input("norm and loss", [1f, 2f, 3f], 3);
        h.Rejects(nameof(IBackend<float>.BeginStep), "loss of 2 elements", (b, s) =>
        {
            using var control = Started(b, plan);
            b.BeginStep(control, scalars[s].View(0, 1), scalars[s].View(1, 2));
        });
        var y = h.Input("y", h.Uniform(7), 7);
        var x = h.Input("x", h.Uniform(8), 8);
        h.Rejects(nameof(IBackend<float>.CopyIfSkipped), "y shorter than x", (b, s) =>
        {
            using var control = Started(b, plan);
            b.CopyIfSkipped(y[s], x[s], control);
        });
        var w = h.Input("parameters", h.Uniform(8), 8);
        var g = h.Input("gradients", h.Uniform(8), 8);
        h.Rejects(nameof(IBackend<float>.SgdUpdate), "group 1 of 1", (b, s) =>
        {
            using var control = Started(b, plan);
            b.SgdUpdate(w[s], g[s], null, control, 1);
        });
        var m = h.Input("expAvg", h.Uniform(8), 8);
        var v = h.Input("expAvgSq", h.Uniform(8), 8);
        h.Rejects(nameof(IBackend<float>.AdamUpdate), "a control planned for SGD", (b, s) =>
        {
            using var control = Started(b, plan);
            b.AdamUpdate(w[s], g[s], m[s], v[s], null, control, 0);
        });
    }

    /// <summary>A control on <paramref name="backend"/> for <paramref name="plan"/>, started at step 0 with 8 steps at lr.</summary>
    private static StepControl<float> Started(IBackend<float> backend, UpdatePlan plan)
    {
        var control = new StepControl<float>(backend, plan, 8);
        control.StartEpoch([0.1, 0.1, 0.05, 0.05, 0.02, 0.02, 0.01, 0.01], 0, 1);
        return control;
    }

    /// <summary>A variant's plan over <paramref name="groups"/> groups (the first with its penalties, the others
    /// without), clipping at 1.</summary>
    private static UpdatePlan PlanOf(OptimizerVariant v, int groups) => new(v.Settings,
        Enumerable.Range(0, groups).Select(g => g == 0 ? new GroupPenalties(v.L1, v.L2, v.WeightDecay) : new GroupPenalties()).ToArray(),
        MaxGradNorm: 1);

    private static string OpOf(object settings) => settings switch
    {
        SgdSettings => nameof(IBackend<float>.SgdUpdate),
        AdagradSettings => nameof(IBackend<float>.AdagradUpdate),
        AdadeltaSettings => nameof(IBackend<float>.AdadeltaUpdate),
        RmsPropSettings => nameof(IBackend<float>.RmsPropUpdate),
        AdamSettings => nameof(IBackend<float>.AdamUpdate),
        AdamaxSettings => nameof(IBackend<float>.AdamaxUpdate),
        _ => nameof(IBackend<float>.NadamUpdate),
    };
}
