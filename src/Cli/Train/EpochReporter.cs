namespace CudaNet.Cli.Train;

/// <summary>Prints one Keras-style line per epoch (what a log file or CI sees), or, in an interactive terminal,
/// the same lines under a live bar of the epochs done.</summary>
internal sealed class EpochReporter(int epochs, bool quiet) : Callback
{
    private readonly bool _interactive = !Console.IsOutputRedirected && !quiet;

    public override void OnEpochEnd(ITrainingRun run, EpochMetrics metrics)
    {
        if (quiet) return;
        if (_interactive) Console.Write("\r\u001b[2K");
        Console.WriteLine(metrics.ToLine(epochs));
        if (_interactive && metrics.Epoch < epochs)
        {
            const int width = 30;
            int done = width * metrics.Epoch / epochs;
            Console.Write($"[{new string('#', done)}{new string('.', width - done)}] epoch {metrics.Epoch + 1}/{epochs} running…");
        }
    }

    public override void OnTrainEnd(ITrainingRun run)
    {
        if (_interactive) Console.Write("\r\u001b[2K");
    }
}
