using System.Diagnostics;
using CudaNet.Cpu;
using CudaNet.Data;

namespace CudaNet.Cli.Train;

/// <summary>The main job: load Fashion-MNIST, hold out a validation split, standardise, train the MLP with early
/// stopping, evaluate on the test set and write the run folder.</summary>
internal static class TrainRun
{
    public static int Execute(TrainSettings settings, bool json)
    {
        settings.Validate();
        var folder = new RunFolder(settings.Output);
        using var backend = CreateBackend(settings, out string device);
        var data = LoadData(settings.Data);
        var (train, validation) = data.Train.Split(settings.ValidationSplit, settings.Seed);
        if (!json)
        {
            Console.WriteLine($"device: {device}");
            Console.WriteLine($"data: {data.Source}");
            Console.WriteLine($"train {train.Count}, validation {validation.Count}, test {data.Test.Count} examples of {train.FeatureCount} features");
        }

        var model = settings.BuildModel(train.FeatureCount, data.Train.Classes);
        using var session = model.Compile(backend, OptimizerFactory.Create(settings), Loss.SoftmaxCrossEntropy, settings.Seed);
        var callbacks = new List<Callback> { new EpochReporter(settings.Epochs, quiet: json) };
        if (settings.Patience > 0) callbacks.Add(new EarlyStopping("val_loss", settings.Patience, restoreBestWeights: true));
        var options = new FitOptions(settings.BatchSize, ScheduleFactory.Create(settings), MaxGradNorm: settings.MaxGradNorm);

        var clock = Stopwatch.StartNew();
        var history = session.Fit(train, validation, settings.Epochs, options, callbacks);
        clock.Stop();
        var test = session.Evaluate(data.Test, settings.BatchSize);

        double secondsPerEpoch = history.Average(m => m.Seconds);
        var summary = new
        {
            test_accuracy = test.Accuracy,
            test_loss = test.Loss,
            seconds_per_epoch = secondsPerEpoch,
            samples_per_second = train.Count / history.Average(m => m.Seconds),
            epochs_run = history.Count,
            device,
            data = data.Source,
            history,
        };
        folder.WriteJson("config.json", settings);
        folder.WriteJson("metrics.json", summary);
        folder.WriteMetricsCsv(history);
        folder.WriteCurves(history);
        if (json)
        {
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(summary, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            Console.WriteLine($"test accuracy {test.Accuracy:F4} - test loss {test.Loss:F4} - {secondsPerEpoch:F2} s/epoch - " +
                              $"{summary.samples_per_second:F0} samples/s - {history.Count} epochs on {device}");
            Console.WriteLine($"run folder: {folder.Path}");
        }
        return 0;
    }

    private static CpuBackend<float> CreateBackend(TrainSettings settings, out string device)
    {
        if (settings.Device == "cuda")
            throw new CliException("--device cuda: the CUDA backend is not available in this build (it lands with the CUDA backend issue)");
        device = settings.Device == "auto" ? "cpu (auto: no CUDA backend in this build)" : "cpu";
        return new CpuBackend<float>(maxThreads: settings.Threads);
    }

    private static (Dataset Train, Dataset Test, string Source) LoadData(string? dataDir)
    {
        string dir = dataDir ?? "/usr/share/datasets/fashion-mnist";
        string Path(string name) => System.IO.Path.Combine(dir, name);
        if (dataDir is not null && !Directory.Exists(dataDir)) throw new CliException($"--data '{dataDir}' is not a folder");
        var train = LabeledImages.Load(Path("train-images-idx3-ubyte.gz"), Path("train-labels-idx1-ubyte.gz"));
        var test = LabeledImages.Load(Path("t10k-images-idx3-ubyte.gz"), Path("t10k-labels-idx1-ubyte.gz"));
        return (Dataset.FromImages(train), Dataset.FromImages(test), dir);
    }
}
