namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    /// <summary>One optimizer configuration: the settings record picks the op.</summary>
    private sealed record OptimizerVariant(
        string Name, object Settings, double LearningRate, double L1 = 0, double L2 = 0, double WeightDecay = 0,
        double InitialAccumulator = 0);

    private static readonly OptimizerVariant[] OptimizerVariants =
    [
        new("SGD", new SgdSettings(Momentum: 0), 0.1),
        new("SGD momentum 0.9 dampening 0.3 L2", new SgdSettings(Momentum: 0.9, Dampening: 0.3), 0.1, L2: 0.01),
        new("SGD Nesterov, L1 + L2 + decay", new SgdSettings(Momentum: 0.8, Nesterov: true), 0.05, L1: 0.01, L2: 0.02, WeightDecay: 0.1),
        new("Adagrad lr decay, accumulator 0.1", new AdagradSettings(LrDecay: 0.01), 1e-2, InitialAccumulator: 0.1),
        new("Adagrad penalized", new AdagradSettings(LrDecay: 0.1), 0.1, L1: 0.01, L2: 0.01, WeightDecay: 0.05, InitialAccumulator: 0.5),
        new("Adadelta", new AdadeltaSettings(Rho: 0.9), 1.0),
        new("Adadelta penalized", new AdadeltaSettings(Rho: 0.5), 0.5, L1: 0.02, L2: 0.03, WeightDecay: 0.1),
        new("RMSprop", new RmsPropSettings(Centered: false), 1e-2),
        new("RMSprop centered", new RmsPropSettings(Centered: true), 1e-2),
        new("RMSprop momentum", new RmsPropSettings(Momentum: 0.9), 1e-2),
        new("RMSprop centered momentum Nesterov penalized", new RmsPropSettings(Momentum: 0.5, Centered: true, Nesterov: true), 1e-2,
            L1: 0.01, L2: 0.01, WeightDecay: 0.1),
        new("Adam", new AdamSettings(Amsgrad: false), 1e-3),
        new("Adam L2", new AdamSettings(Amsgrad: false), 1e-3, L2: 0.01),
        new("AMSGrad", new AdamSettings(Amsgrad: true), 1e-3),
        new("AdamW", new AdamSettings(Amsgrad: false), 1e-3, WeightDecay: 0.01),
        new("AdamW AMSGrad L1", new AdamSettings(Amsgrad: true), 1e-2, L1: 0.01, WeightDecay: 0.1),
        new("Adamax", new AdamaxSettings(Beta1: 0.9), 2e-3),
        new("Adamax penalized", new AdamaxSettings(Beta1: 0.5), 1e-2, L1: 0.01, L2: 0.02, WeightDecay: 0.1),
        new("NAdam", new NadamSettings(MomentumDecay: 4e-3), 2e-3),
        new("NAdam penalized", new NadamSettings(MomentumDecay: 0.1), 1e-2, L1: 0.01, L2: 0.02, WeightDecay: 0.1),
    ];

    private static void Optimizers(VerificationHarness h)
    {
        int steps = h.Sizes.OptimizerSteps;
        foreach (var variant in OptimizerVariants)
            foreach (int n in h.Sizes.OptimizerLengths)
                OptimizerCase(h, variant, n, steps);
    }

    /// <summary>Several steps of one optimizer from the same parameters and gradients; the parameters and every state
    /// tensor are compared at the end (the first step is special for SGD momentum; the bias corrections move).</summary>
    private static void OptimizerCase(VerificationHarness h, OptimizerVariant v, int n, int steps)
    {
        var parameters = h.Output("parameters", h.Uniform(n, -2, 2), Pointwise, n);
        // Every few gradients are exactly 0, where sign(w) and the max of Adamax and AMSGrad have their kinks.
        var gradients = h.Input("gradients", h.Uniform(steps * n, -1, 1).Select((g, i) => i % 11 == 3 ? 0f : g).ToArray(), steps * n);
        var settings = v.Settings;
        var (first, second, third) = settings switch
        {
            SgdSettings s => (s.Momentum > 0 ? State(h, "momentumBuffer", n) : null, null, null),
            AdagradSettings => (h.Output("sum", Enumerable.Repeat((float)v.InitialAccumulator, n).ToArray(), Pointwise, n), null, null),
            AdadeltaSettings => (State(h, "squareAvg", n), State(h, "accDelta", n), null),
            RmsPropSettings s => (State(h, "squareAvg", n), s.Centered ? State(h, "gradAvg", n) : null, s.Momentum > 0 ? State(h, "momentumBuffer", n) : null),
            AdamSettings s => (State(h, "expAvg", n), State(h, "expAvgSq", n), s.Amsgrad ? State(h, "maxExpAvgSq", n) : null),
            AdamaxSettings => (State(h, "expAvg", n), State(h, "expInf", n), null),
            NadamSettings => (State(h, "expAvg", n), State(h, "expAvgSq", n), null),
            _ => throw new InvalidOperationException($"Unknown optimizer settings {settings.GetType().Name}."),
        };
        string op = settings switch
        {
            SgdSettings => nameof(IBackend<float>.SgdUpdate),
            AdagradSettings => nameof(IBackend<float>.AdagradUpdate),
            AdadeltaSettings => nameof(IBackend<float>.AdadeltaUpdate),
            RmsPropSettings => nameof(IBackend<float>.RmsPropUpdate),
            AdamSettings => nameof(IBackend<float>.AdamUpdate),
            AdamaxSettings => nameof(IBackend<float>.AdamaxUpdate),
            _ => nameof(IBackend<float>.NadamUpdate),
        };
        h.Check(op, $"{v.Name} n={n} {steps} steps", (b, s) =>
        {
            for (int t = 1; t <= steps; t++)
            {
                var w = parameters[s];
                var g = gradients[s].View((t - 1) * n, n);
                var step = new UpdateStep(v.LearningRate, t, v.L1, v.L2, v.WeightDecay);
                switch (settings)
                {
                    case SgdSettings o: b.SgdUpdate(w, g, first?[s], o, step); break;
                    case AdagradSettings o: b.AdagradUpdate(w, g, first![s], o, step); break;
                    case AdadeltaSettings o: b.AdadeltaUpdate(w, g, first![s], second![s], o, step); break;
                    case RmsPropSettings o: b.RmsPropUpdate(w, g, first![s], second?[s], third?[s], o, step); break;
                    case AdamSettings o: b.AdamUpdate(w, g, first![s], second![s], third?[s], o, step); break;
                    case AdamaxSettings o: b.AdamaxUpdate(w, g, first![s], second![s], o, step); break;
                    case NadamSettings o: b.NadamUpdate(w, g, first![s], second![s], o, step, o.MuProduct(t)); break;
                }
            }
        });
    }

    private static TwinTensor<float> State(VerificationHarness h, string name, int n) => h.Output(name, new float[n], Pointwise, n);
}
