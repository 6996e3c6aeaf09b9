using System.CommandLine;
using CudaNet.Cli;
using CudaNet.Cli.Bench;
using CudaNet.Cli.Train;

var root = new RootCommand("cudanet: train and check neural networks on the CPU (SIMD) and NVIDIA GPUs.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvaluateCommand.Create());
root.Subcommands.Add(GradCheckCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
return root.Parse(args).Invoke();
