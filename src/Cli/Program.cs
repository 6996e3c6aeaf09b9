using System.CommandLine;
using CudaNet.Cli;
using CudaNet.Cli.Bench;
using CudaNet.Cli.Train;

var root = new RootCommand("cudanet: train and check neural networks on the CPU (SIMD) and NVIDIA GPUs.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(GradCheckCommand.Create());
root.Subcommands.Add(LrFindCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One line naming the problem, not a help page: the help is one --help away.
    Console.Error.WriteLine($"cudanet: error: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see cudanet --help)");
    return CliErrors.UsageError;
}
return parse.Invoke();
