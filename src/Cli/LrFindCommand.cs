using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CudaNet.Cli.Plots;
using CudaNet.Cli.Train;
using CudaNet.Data;
using CudaNet.IO;

namespace CudaNet.Cli;

/// <summary><c>cudanet lr-find</c>: the learning-rate range test (Smith 2017) on the train command's model and data,
/// with the loss curve as SVG and a suggested learning rate.</summary>
internal static class LrFindCommand
{
    public static Command Create()
    {
        var defaults = new TrainSettings();
        var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (default as for train)." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "auto" };
        var layers = new Option<string>("--layers") { Description = "Hidden layer sizes, comma-separated.", DefaultValueFactory = _ => "512,512" };
        var optimizer = new Option<string>("--optimizer") { Description = $"One of {string.Join(", ", OptimizerFactory.Names)}.", DefaultValueFactory = _ => defaults.Optimizer };
        var start = new Option<double>("--start") { Description = "First learning rate.", DefaultValueFactory = _ => 1e-7 };
        var end = new Option<double>("--end") { Description = "Last learning rate.", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Steps of the exponential sweep.", DefaultValueFactory = _ => 100 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var seed = new Option<ulong>("--seed") { Description = "Seed.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<string>("--output") { Description = "Where to write the curve (SVG).", DefaultValueFactory = _ => "lr-find.svg" };
        var json = new Option<bool>("--json") { Description = "Print the curve and suggestion as JSON." };
        var command = new Command("lr-find", "Learning-rate range test: exponential sweep, smoothed loss curve (SVG) and a suggestion.");
        foreach (var option in new Option[] { data, device, layers, optimizer, start, end, steps, batchSize, seed, output, json })
            command.Options.Add(option);
        command.SetAction(parse => CliErrors.Run("lr-find", () =>
        {
            var settings = new TrainSettings
            {
                Data = parse.GetValue(data), Device = parse.GetValue(device)!, Layers = TrainCommand.ParseSizes(parse.GetValue(layers)!),
                Optimizer = parse.GetValue(optimizer)!, BatchSize = parse.GetValue(batchSize), Seed = parse.GetValue(seed),
            };
            settings.Validate();
            return Execute(settings, parse.GetValue(start), parse.GetValue(end), parse.GetValue(steps), parse.GetValue(output)!, parse.GetValue(json));
        }));
        return command;
    }

    private static int Execute(TrainSettings settings, double start, double end, int steps, string output, bool json)
    {
        if (settings.Data is not null && !Directory.Exists(settings.Data)) throw new CliException($"--data '{settings.Data}' is not a folder");
        var choice = DeviceSelection.Select(settings.Device);
        using var backend = choice.Backend;
        var fashion = FashionMnist.Load(settings.Data);
        var images = Dataset.FromImages(fashion.Train);
        var train = Standardizer.Fit(images).Apply(images);
        using var session = settings.BuildModel(train.FeatureCount, train.Classes)
            .Compile(backend, OptimizerFactory.Create(settings), Loss.SoftmaxCrossEntropy, settings.Seed);
        var sweep = LearningRateFinder.Run(session, train, start, end, steps, batchSize: settings.BatchSize);

        // Once the loss explodes its values would flatten the interesting part of the curve: show up to 1.5× the
        // starting loss, as the usual range-test plots do.
        double top = 1.5 * sweep.Points[0].SmoothedLoss, bottom = sweep.Points.Min(p => p.SmoothedLoss);
        (double, double)[] Visible(Func<LearningRatePoint, double> loss) =>
            sweep.Points.Where(p => loss(p) <= top).Select(p => (p.LearningRate, loss(p))).ToArray();
        var chart = new LineChart("Learning-rate range test", "learning rate (log scale)", "training loss",
        [
            new Series("loss", "#9ecae1", Visible(p => p.Loss)),
            new Series("smoothed", "#1f77b4", Visible(p => p.SmoothedLoss)),
            new Series($"suggested {sweep.Suggested.ToString("0.0e+00", CultureInfo.InvariantCulture)}", "#d62728",
                [(sweep.Suggested, bottom), (sweep.Suggested, top)], Dashed: true),
        ], logX: true);
        string path = Path.GetFullPath(output);
        AtomicFile.Write(path, s => s.Write(System.Text.Encoding.UTF8.GetBytes(SvgDocument.Render([chart], panelWidth: 760, height: 440))));

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                suggested = sweep.Suggested, minimum_loss_lr = sweep.MinimumLossLearningRate, diverged = sweep.Diverged,
                device = choice.ToString(), svg = path,
                points = sweep.Points.Select(p => new { lr = p.LearningRate, loss = p.Loss, smoothed = p.SmoothedLoss }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine($"device: {choice}");
        Console.WriteLine($"data: {fashion.Description}");
        Console.WriteLine($"swept {sweep.Points.Count} steps from {start:0.0e+00} {(sweep.Diverged ? "until the loss diverged" : $"to {end:0.0e+00}")}");
        Console.WriteLine($"suggested learning rate {sweep.Suggested:0.0e+00} (steepest descent); minimum loss / 10: {sweep.MinimumLossLearningRate:0.0e+00}");
        Console.WriteLine($"curve: {path}");
        return 0;
    }
}
