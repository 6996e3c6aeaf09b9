using System.CommandLine;
using CudaNet.Cli;

var root = new RootCommand("cudanet: train and check neural networks on the CPU (SIMD) and NVIDIA GPUs.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(GradCheckCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
return root.Parse(args).Invoke();
