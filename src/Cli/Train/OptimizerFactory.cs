namespace CudaNet.Cli.Train;

/// <summary>Maps <c>--optimizer</c> and its hyperparameters to an engine optimizer (PyTorch defaults).</summary>
internal static class OptimizerFactory
{
    public static readonly string[] Names = ["adam", "adamw", "sgd"];

    public static Optimizer Create(TrainSettings s)
    {
        try
        {
            return s.Optimizer switch
            {
                "adam" => new Adam(s.LearningRate ?? 1e-3, weightDecay: s.WeightDecay),
                "adamw" => new AdamW(s.LearningRate ?? 1e-3, weightDecay: s.WeightDecay > 0 ? s.WeightDecay : 1e-2),
                "sgd" => new Sgd(s.LearningRate ?? 1e-2, momentum: s.Momentum, weightDecay: s.WeightDecay),
                _ => throw new CliException($"--optimizer must be one of {string.Join(", ", Names)}, not '{s.Optimizer}'"),
            };
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--optimizer {s.Optimizer}: {e.Message}");
        }
    }
}
