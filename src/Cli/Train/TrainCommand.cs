using System.CommandLine;

namespace CudaNet.Cli.Train;

/// <summary><c>cudanet train</c>: the options, mapped onto <see cref="TrainSettings"/>.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainSettings();
        var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist, else the bundled sample)." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => defaults.Device };
        var tf32 = new Option<bool>("--tf32") { Description = "GEMMs on TF32 tensor cores (inputs rounded to 10 mantissa bits, float32 sums); CUDA, compute capability 8.0+." };
        var layers = new Option<string>("--layers") { Description = "Hidden layer sizes, comma-separated.", DefaultValueFactory = _ => "512,512" };
        var noBatchNorm = new Option<bool>("--no-batch-norm") { Description = "Leave out BatchNorm after each hidden Dense." };
        var dropout = new Option<double>("--dropout") { Description = "Dropout probability after each hidden layer (0 disables).", DefaultValueFactory = _ => defaults.Dropout };
        var optimizer = new Option<string>("--optimizer") { Description = $"One of {string.Join(", ", OptimizerFactory.Names)}.", DefaultValueFactory = _ => defaults.Optimizer };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: the optimizer's PyTorch default; SGD 1e-2)." };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum." };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay in the optimizer's PyTorch meaning (AdamW: decoupled, default 1e-2)." };
        var l1 = new Option<double>("--l1") { Description = "L1 penalty on every Dense weight." };
        var l2 = new Option<double>("--l2") { Description = "L2 penalty on every Dense weight." };
        var schedule = new Option<string>("--schedule") { Description = $"Learning-rate schedule per epoch: {string.Join(", ", ScheduleFactory.Names)}.", DefaultValueFactory = _ => defaults.Schedule };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs.", DefaultValueFactory = _ => defaults.Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, split, shuffling and dropout.", DefaultValueFactory = _ => defaults.Seed };
        var split = new Option<double>("--validation-split") { Description = "Fraction of the training set held out for validation.", DefaultValueFactory = _ => defaults.ValidationSplit };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience on val_loss (0 disables); the best weights are restored.", DefaultValueFactory = _ => defaults.Patience };
        var augment = new Option<string>("--augment") { Description = "Comma-separated: shift, flip, noise." };
        var maxGradNorm = new Option<double?>("--max-grad-norm") { Description = "Clip the global gradient norm." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)." };
        var noGraphs = new Option<bool>("--no-graphs") { Description = "On a GPU, launch each step's kernels one by one instead of replaying the step as a CUDA graph (same results; for comparison)." };
        var output = new Option<string?>("--output") { Description = "Run folder (default runs/<timestamp>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder." };
        var json = new Option<bool>("--json") { Description = "Print the final metrics as JSON instead of progress lines." };

        var command = new Command("train", "Train an MLP on Fashion-MNIST (the main job).");
        foreach (var option in new Option[] { data, device, tf32, layers, noBatchNorm, dropout, optimizer, lr, momentum, weightDecay, l1, l2,
                     schedule, epochs, batchSize, seed, split, patience, augment, maxGradNorm, threads, noGraphs, output, resume, json })
            command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run("train", () =>
        {
            var settings = new TrainSettings
            {
                Data = parse.GetValue(data),
                Device = parse.GetValue(device)!,
                Tf32 = parse.GetValue(tf32),
                Layers = ParseSizes(parse.GetValue(layers)!),
                BatchNorm = !parse.GetValue(noBatchNorm),
                Dropout = parse.GetValue(dropout),
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr),
                Momentum = parse.GetValue(momentum),
                WeightDecay = parse.GetValue(weightDecay),
                L1 = parse.GetValue(l1),
                L2 = parse.GetValue(l2),
                Schedule = parse.GetValue(schedule)!,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
                ValidationSplit = parse.GetValue(split),
                Patience = parse.GetValue(patience),
                Augment = (parse.GetValue(augment) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                MaxGradNorm = parse.GetValue(maxGradNorm),
                Threads = parse.GetValue(threads),
                Graphs = !parse.GetValue(noGraphs),
                Output = parse.GetValue(output),
                Resume = parse.GetValue(resume),
            };
            if (settings.Resume is { } folder)
            {
                // A resumed run keeps its model, data and optimizer settings; only the device, its GEMM precision, the
                // thread count, the use of graphs and (when given) the total number of epochs may change.
                var saved = RunFolder.LoadSettings(folder);
                settings = saved with
                {
                    Device = settings.Device, Tf32 = settings.Tf32, Threads = settings.Threads, Graphs = settings.Graphs,
                    Output = folder, Resume = folder,
                    Epochs = parse.GetResult(epochs) is { Implicit: false } ? settings.Epochs : saved.Epochs,
                };
            }
            return TrainRun.Execute(settings, parse.GetValue(json));
        }));
        return command;
    }

    internal static int[] ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out sizes[i]) || sizes[i] < 1)
                throw new CliException($"--layers must be positive sizes separated by commas, not '{text}'");
        return sizes;
    }
}
