using System.Globalization;
using System.Text;
using System.Text.Json;
using CudaNet.Cli.Plots;
using CudaNet.IO;

namespace CudaNet.Cli.Train;

/// <summary>The files of a training run: config.json, metrics.csv, metrics.json, curves.svg (model and training
/// state are written by the engine's checkpoint code). Every file is written atomically.</summary>
internal sealed class RunFolder
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public RunFolder(string? path)
    {
        Path = System.IO.Path.GetFullPath(path ?? System.IO.Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        try
        {
            Directory.CreateDirectory(Path);
            // Fail now, before hours of training, if the folder cannot be written.
            AtomicFile.Write(System.IO.Path.Combine(Path, ".write-test"), s => s.WriteByte(0));
            System.IO.File.Delete(System.IO.Path.Combine(Path, ".write-test"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--output '{Path}' is not a writable folder ({e.Message})");
        }
    }

    public string Path { get; }

    /// <summary>The settings of the run in <paramref name="folder"/> (its config.json), to resume it.</summary>
    public static TrainSettings LoadSettings(string folder)
    {
        string config = System.IO.Path.Combine(folder, "config.json");
        if (!System.IO.File.Exists(config)) throw new CliException($"--resume '{folder}' holds no config.json: not a cudanet run folder");
        try
        {
            return JsonSerializer.Deserialize<TrainSettings>(System.IO.File.ReadAllText(config), Json)
                   ?? throw new CliException($"--resume: {config} is empty");
        }
        catch (JsonException e)
        {
            throw new CliException($"--resume: {config} is not valid ({e.Message})");
        }
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void WriteJson(string name, object value) =>
        AtomicFile.Write(File(name), s => JsonSerializer.Serialize(s, value, value.GetType(), Json));

    public void WriteText(string name, string text) => AtomicFile.Write(File(name), s => s.Write(Encoding.UTF8.GetBytes(text)));

    public void WriteMetricsCsv(IReadOnlyList<EpochMetrics> history)
    {
        var csv = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,skipped_steps\n");
        foreach (var m in history)
            csv.AppendLine(string.Join(",", m.Epoch.ToString(CultureInfo.InvariantCulture), D(m.Loss), D(m.Accuracy), D(m.ValidationLoss),
                D(m.ValidationAccuracy), D(m.LearningRate), D(m.Seconds), m.SkippedSteps.ToString(CultureInfo.InvariantCulture)));
        WriteText("metrics.csv", csv.ToString());
    }

    public void WriteCurves(IReadOnlyList<EpochMetrics> history)
    {
        (double, double)[] Points(Func<EpochMetrics, double?> value) =>
            history.Where(m => value(m) is not null).Select(m => ((double)m.Epoch, value(m)!.Value)).ToArray();
        var loss = new LineChart("Loss", "epoch", "mean loss",
        [
            new Series("train", "#1f77b4", Points(m => m.Loss)),
            new Series("validation", "#d62728", Points(m => m.ValidationLoss), Dashed: true),
        ], integerX: true);
        var accuracy = new LineChart("Accuracy", "epoch", "accuracy",
        [
            new Series("train", "#1f77b4", Points(m => m.Accuracy)),
            new Series("validation", "#d62728", Points(m => m.ValidationAccuracy), Dashed: true),
        ], integerX: true);
        WriteText("curves.svg", SvgDocument.Render([loss, accuracy]));
    }

    private static string D(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
