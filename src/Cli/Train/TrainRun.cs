using System.Diagnostics;
using CudaNet.Data;

namespace CudaNet.Cli.Train;

/// <summary>The main job: load Fashion-MNIST, hold out a validation split, standardise, train the MLP with early
/// stopping, evaluate on the test set and write the run folder.</summary>
internal static class TrainRun
{
    public static int Execute(TrainSettings settings, bool json)
    {
        settings.Validate();
        // Everything that can fail on bad input happens before the run folder is created: nothing half-written.
        var choice = DeviceSelection.Select(settings.Device, settings.Threads);
        using var backend = choice.Backend;
        if (settings.Tf32) UseTf32(backend, settings.Device);
        var data = PrepareData(settings);
        var folder = new RunFolder(settings.Output);
        var (train, validation) = (data.Train, data.Validation);
        string device = choice + (settings.Tf32 ? ", TF32 GEMM" : "");
        if (!json)
        {
            Console.WriteLine($"device: {device}");
            Console.WriteLine($"data: {data.Description}");
            Console.WriteLine($"train {train.Count}, validation {validation.Count}, test {data.Test.Count} examples of {train.FeatureCount} features" +
                              (data.Augmentation is null ? "" : $", augmented with {string.Join(", ", settings.Augment)}"));
        }

        var model = settings.BuildModel(train.FeatureCount, train.Classes);
        using var session = model.Compile(backend, OptimizerFactory.Create(settings), Loss.SoftmaxCrossEntropy, settings.Seed);
        if (settings.Resume is not null)
        {
            session.LoadCheckpoint(folder.Path);
            if (!json) Console.WriteLine($"resumed after epoch {session.Epoch} (step {session.Step}) from {folder.Path}");
        }
        int remaining = settings.Epochs - session.Epoch;
        if (remaining <= 0)
            throw new CliException($"--epochs {settings.Epochs}: the run in {folder.Path} already trained {session.Epoch} epochs");

        // The checkpoint is rewritten after every epoch (atomically), so a killed run resumes from its last epoch.
        var reporter = new EpochReporter(settings.Epochs, quiet: json);
        var callbacks = new List<Callback> { reporter, new ModelCheckpoint(folder.Path) };
        if (settings.Patience > 0) callbacks.Add(new EarlyStopping("val_loss", settings.Patience, restoreBestWeights: true));
        var options = new FitOptions(settings.BatchSize, ScheduleFactory.Create(settings), MaxGradNorm: settings.MaxGradNorm,
            Augmentation: data.Augmentation, UseGraphs: settings.Graphs);
        reporter.Run(() => session.Fit(train, validation, remaining, options, callbacks));
        session.SaveCheckpoint(folder.Path);
        var test = session.Evaluate(data.Test, settings.BatchSize);

        var history = session.History;
        double secondsPerEpoch = history.Average(m => m.Seconds);
        var summary = new
        {
            test_accuracy = test.Accuracy,
            test_loss = test.Loss,
            seconds_per_epoch = secondsPerEpoch,
            samples_per_second = train.Count / secondsPerEpoch,
            epochs_run = history.Count,
            device,
            graphs = session.StepGraphs is { } g
                ? new { steps = g.Steps, captures = g.Captures, replays = g.Replays, updated_nodes = g.UpdatedNodes, commands = g.Commands, disabled = g.DisabledReason }
                : null,
            data = data.Description,
            history,
        };
        folder.WriteJson("config.json", settings);
        data.Standardizer.Save(folder.File("standardizer.json"));
        folder.WriteJson("metrics.json", summary);
        folder.WriteMetricsCsv(history);
        folder.WriteCurves(history);
        if (json)
        {
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(summary, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            string graphs = session.StepGraphs is not { } counters ? ""
                : counters.DisabledReason is { } off ? $" (CUDA graphs turned off: {off})" : $" ({counters.Replays} steps replayed as CUDA graphs)";
            Console.WriteLine($"test accuracy {test.Accuracy:F4} - test loss {test.Loss:F4} - {secondsPerEpoch:F2} s/epoch - " +
                              $"{summary.samples_per_second:F0} samples/s - {history.Count} epochs on {device}{graphs}");
            Console.WriteLine($"run folder: {folder.Path}");
        }
        return 0;
    }

    /// <summary>The data as the model sees it: validation held out by the seed, every split standardised with the
    /// training split's statistics; with augmentation the training split stays in pixel space and the
    /// augmentation standardises after shifting and flipping.</summary>
    private static PreparedData PrepareData(TrainSettings settings)
    {
        if (settings.Data is not null && !Directory.Exists(settings.Data)) throw new CliException($"--data '{settings.Data}' is not a folder");
        var data = FashionMnist.Load(settings.Data);
        var (rawTrain, rawValidation) = Dataset.FromImages(data.Train).Split(settings.ValidationSplit, settings.Seed);
        var standardizer = Standardizer.Fit(rawTrain);
        ImageAugmentation? augmentation = null;
        if (settings.Augment.Length > 0)
            augmentation = new ImageAugmentation(data.Train.Height, data.Train.Width,
                maxShift: settings.Augment.Contains("shift") ? 2 : 0, flip: settings.Augment.Contains("flip"),
                noiseStd: settings.Augment.Contains("noise") ? 0.1 : 0, standardizer);
        var train = augmentation is null ? standardizer.Apply(rawTrain) : rawTrain;
        return new PreparedData(train, standardizer.Apply(rawValidation), standardizer.Apply(Dataset.FromImages(data.Test)),
            standardizer, augmentation, data.Description);
    }

    private sealed record PreparedData(Dataset Train, Dataset Validation, Dataset Test, Standardizer Standardizer,
        ImageAugmentation? Augmentation, string Description);

    /// <summary>--tf32: the opt-in TF32 GEMM of the CUDA backend, or a one-line error naming what is missing.</summary>
    private static void UseTf32(IBackend<float> backend, string device)
    {
        if (backend is not CudaNet.Cuda.CudaBackend gpu)
            throw new CliException($"--tf32 needs a CUDA device with TF32 tensor cores, but --device {device} runs on {backend.Name}");
        try
        {
            gpu.GemmPrecision = CudaNet.Cuda.GemmPrecision.Tf32;
        }
        catch (NotSupportedException e)
        {
            throw new CliException($"--tf32: {e.Message}");
        }
    }
}
