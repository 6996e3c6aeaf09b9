using Spectre.Console;

namespace CudaNet.Cli.Train;

/// <summary>
/// Progress of <c>cudanet train</c>: one Keras-style line per epoch, and in an interactive terminal a live
/// Spectre.Console bar over the steps of the current epoch. With --json it stays silent.
/// </summary>
internal sealed class EpochReporter(int epochs, bool quiet) : Callback
{
    private ProgressTask? _task;

    /// <summary>True when stdout is a terminal the live bar can draw on.</summary>
    public bool Interactive { get; } = !quiet && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="fit"/> under the live bar when interactive, else plainly.</summary>
    public void Run(Action fit)
    {
        if (!Interactive)
        {
            fit();
            return;
        }
        AnsiConsole.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask("training", maxValue: 1);
                fit();
            });
    }

    public override void OnBatchEnd(ITrainingRun run, int batch, int batches)
    {
        if (_task is null) return;
        _task.Description = $"epoch {run.Epoch + 1}/{epochs}";
        _task.MaxValue = batches;
        _task.Value = batch;
    }

    public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics)
    {
        if (quiet) return;
        if (Interactive) AnsiConsole.WriteLine(metrics.ToLine(epochs));
        else Console.WriteLine(metrics.ToLine(epochs));
    }
}
