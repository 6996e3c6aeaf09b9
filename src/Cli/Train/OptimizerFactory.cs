namespace CudaNet.Cli.Train;

/// <summary>Maps <c>--optimizer</c> and its hyperparameters to an engine optimizer (PyTorch defaults).</summary>
internal static class OptimizerFactory
{
    public static readonly string[] Names = ["adam", "adamw", "sgd", "nesterov", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "amsgrad"];

    public static Optimizer Create(TrainSettings s)
    {
        try
        {
            return s.Optimizer switch
            {
                "adam" => new Adam(s.LearningRate ?? 1e-3, weightDecay: s.WeightDecay),
                "adamw" => new AdamW(s.LearningRate ?? 1e-3, weightDecay: s.WeightDecay > 0 ? s.WeightDecay : 1e-2),
                "amsgrad" => new Adam(s.LearningRate ?? 1e-3, weightDecay: s.WeightDecay, amsgrad: true),
                "sgd" => new Sgd(s.LearningRate ?? 1e-2, momentum: s.Momentum, weightDecay: s.WeightDecay),
                "nesterov" => new Sgd(s.LearningRate ?? 1e-2, momentum: s.Momentum > 0 ? s.Momentum : 0.9, nesterov: true, weightDecay: s.WeightDecay),
                "rmsprop" => new RmsProp(s.LearningRate ?? 1e-2, momentum: s.Momentum, weightDecay: s.WeightDecay),
                "adagrad" => new Adagrad(s.LearningRate ?? 1e-2, weightDecay: s.WeightDecay),
                "adadelta" => new Adadelta(s.LearningRate ?? 1.0, weightDecay: s.WeightDecay),
                "adamax" => new Adamax(s.LearningRate ?? 2e-3, weightDecay: s.WeightDecay),
                "nadam" => new NAdam(s.LearningRate ?? 2e-3, weightDecay: s.WeightDecay),
                _ => throw new CliException($"--optimizer must be one of {string.Join(", ", Names)}, not '{s.Optimizer}'"),
            };
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--optimizer {s.Optimizer}: {e.Message}");
        }
    }
}
