using System.Text.Json.Serialization;

namespace CudaNet.Cli.Train;

/// <summary>Everything <c>cudanet train</c> was asked to do; written to the run folder as config.json.</summary>
internal sealed record TrainSettings
{
    public string? Data { get; init; }
    public string Device { get; init; } = "auto";
    public bool Tf32 { get; init; }
    public int[] Layers { get; init; } = [512, 512];
    public bool BatchNorm { get; init; } = true;
    public double Dropout { get; init; } = 0.2;
    public string Optimizer { get; init; } = "adam";
    public double? LearningRate { get; init; }
    public double Momentum { get; init; }
    public double WeightDecay { get; init; }
    public double L1 { get; init; }
    public double L2 { get; init; }
    public string Schedule { get; init; } = "cosine";
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    public ulong Seed { get; init; } = 42;
    public double ValidationSplit { get; init; } = 0.1;
    public int Patience { get; init; } = 3;
    public string[] Augment { get; init; } = [];
    public double? MaxGradNorm { get; init; }
    public int? Threads { get; init; }
    public bool Graphs { get; init; } = true;
    public string? Output { get; init; }

    [JsonIgnore]
    public string? Resume { get; init; }

    /// <summary>Rejects impossible values with a message naming the option.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok) throw new CliException(message);
        }
        Require(Device is "auto" or "cpu" or "cuda", $"--device must be auto, cpu or cuda, not '{Device}'");
        Require(!Tf32 || Device != "cpu", "--tf32 runs the GEMMs on TF32 tensor cores: it needs --device cuda, not cpu");
        Require(Layers.All(l => l > 0), $"--layers must be positive sizes, not '{string.Join(",", Layers)}'");
        Require(Dropout is >= 0 and < 1, $"--dropout must be in [0, 1), not {Dropout}");
        Require(LearningRate is null || LearningRate > 0 && double.IsFinite(LearningRate.Value), $"--lr must be a positive number, not {LearningRate}");
        Require(Momentum is >= 0 and < 1, $"--momentum must be in [0, 1), not {Momentum}");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), $"--weight-decay must be >= 0, not {WeightDecay}");
        Require(L1 >= 0 && double.IsFinite(L1), $"--l1 must be >= 0, not {L1}");
        Require(L2 >= 0 && double.IsFinite(L2), $"--l2 must be >= 0, not {L2}");
        Require(Epochs >= 1, $"--epochs must be >= 1, not {Epochs}");
        Require(BatchSize >= 1, $"--batch-size must be >= 1, not {BatchSize}");
        Require(ValidationSplit is > 0 and < 1, $"--validation-split must be in (0, 1), not {ValidationSplit}");
        Require(Patience >= 0, $"--patience must be >= 0 (0 disables early stopping), not {Patience}");
        Require(MaxGradNorm is null || MaxGradNorm > 0, $"--max-grad-norm must be > 0, not {MaxGradNorm}");
        Require(Threads is null || Threads >= 1, $"--threads must be >= 1, not {Threads}");
        var unknown = Augment.Except(["shift", "flip", "noise"]).ToArray();
        Require(unknown.Length == 0, $"--augment takes shift, flip and noise, not '{string.Join(",", unknown)}'");
        OptimizerFactory.Create(this);
        ScheduleFactory.Create(this);
    }

    /// <summary>The MLP: for each hidden size Dense → [BatchNorm] → ReLU → [Dropout], then Dense to the classes.</summary>
    public Sequential BuildModel(int inputs, int classes)
    {
        var layers = new List<Layer>();
        var regularizer = L1 > 0 || L2 > 0 ? new Regularizer(L1, L2) : null;
        int width = inputs;
        foreach (int hidden in Layers)
        {
            layers.Add(new Dense(width, hidden, regularizer: regularizer));
            if (BatchNorm) layers.Add(new CudaNet.BatchNorm(hidden));
            layers.Add(new ReLU());
            if (Dropout > 0) layers.Add(new CudaNet.Dropout(Dropout));
            width = hidden;
        }
        layers.Add(new Dense(width, classes, regularizer: regularizer));
        return new Sequential([.. layers]);
    }
}
