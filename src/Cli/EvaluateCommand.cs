using System.CommandLine;
using System.Text.Json;
using CudaNet.Cli.Train;
using CudaNet.Data;
using CudaNet.IO;

namespace CudaNet.Cli;

/// <summary><c>cudanet evaluate</c>: a saved model on Fashion-MNIST → loss, accuracy, per-class accuracy and the
/// confusion matrix. The model and its standardisation come from the run folder alone.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A run folder (or its model.safetensors).", Required = true };
        var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (default as for train)." };
        var split = new Option<string>("--split") { Description = "test or train.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "train");
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "auto" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of the report." };
        var command = new Command("evaluate", "Evaluate a saved model: loss, accuracy, per-class accuracy, confusion matrix.");
        foreach (var option in new Option[] { model, data, split, device, json }) command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run("evaluate", () =>
            Execute(parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(split)!, parse.GetValue(device)!, parse.GetValue(json))));
        return command;
    }

    private static int Execute(string modelPath, string? dataDir, string split, string device, bool json)
    {
        string folder = Directory.Exists(modelPath) ? modelPath : Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        string weights = Directory.Exists(modelPath) ? Path.Combine(modelPath, CheckpointFiles.Model) : modelPath;
        if (!File.Exists(weights)) throw new CliException($"--model '{modelPath}': {weights} does not exist");
        string standardizerPath = Path.Combine(folder, "standardizer.json");
        var standardizer = File.Exists(standardizerPath) ? Standardizer.Load(standardizerPath) : null;
        if (dataDir is not null && !Directory.Exists(dataDir)) throw new CliException($"--data '{dataDir}' is not a folder");

        var choice = DeviceSelection.Select(device);
        using var backend = choice.Backend;
        using var network = Network<float>.Load(weights, backend);
        var fashion = FashionMnist.Load(dataDir);
        var images = Dataset.FromImages(split == "train" ? fashion.Train : fashion.Test);
        var examples = standardizer is null ? images : standardizer.Apply(images);
        using var session = new TrainingSession<float>(network, new Sgd(0), Loss.SoftmaxCrossEntropy);
        var evaluation = session.Evaluate(examples);
        var report = ClassificationReport.From(session.Predict(examples), examples.Labels!, network.OutputFeatures);

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = weights, data = fashion.Description, split, device = choice.ToString(), examples = examples.Count,
                loss = evaluation.Loss, accuracy = evaluation.Accuracy, per_class_accuracy = report.PerClassAccuracy,
                confusion_matrix = report.Confusion, class_names = FashionMnist.ClassNames,
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine($"model: {weights}{(standardizer is null ? " (no standardizer.json: raw pixels)" : "")}");
        Console.WriteLine($"data: {fashion.Description}, {split} split");
        Console.WriteLine($"device: {choice}");
        Console.WriteLine($"loss {evaluation.Loss:F4} - accuracy {evaluation.Accuracy:F4} ({examples.Count} examples)");
        report.Print(FashionMnist.ClassNames);
        return 0;
    }
}
