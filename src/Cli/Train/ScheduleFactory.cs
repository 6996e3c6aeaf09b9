namespace CudaNet.Cli.Train;

/// <summary>Maps <c>--schedule</c> to a learning-rate schedule stepped once per epoch.</summary>
internal static class ScheduleFactory
{
    public static readonly string[] Names = ["constant", "cosine", "step", "exponential", "warmup-cosine", "linear"];

    public static LearningRateSchedule Create(TrainSettings s) => s.Schedule switch
    {
        "constant" => new ConstantSchedule(),
        "cosine" => new CosineAnnealing(tMax: s.Epochs),
        "step" => new StepDecay(stepSize: Math.Max(1, s.Epochs / 3), gamma: 0.1),
        "exponential" => new ExponentialDecay(gamma: 0.9),
        "warmup-cosine" => new LinearWarmup(steps: Math.Min(2, s.Epochs), then: new CosineAnnealing(tMax: Math.Max(1, s.Epochs - 2))),
        "linear" => new LinearDecay(s.Epochs, 0.01 * (s.LearningRate ?? 1e-3)),
        _ => throw new CliException($"--schedule must be one of {string.Join(", ", Names)}, not '{s.Schedule}'"),
    };
}
