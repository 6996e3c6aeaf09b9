using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process toolchain: the suites also run from a self-contained publish on a machine without the .NET SDK. As a
// mutator it applies to whichever job runs, so --job dry or --iterationCount from the command line stay in-process.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsMutator())
    .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(32)); // GEMM cases unabbreviated, e.g. "fwd NT+bias+ReLU 128x512x784"
// Short runs unless the command line picks a job: a GPU machine's time is usually lent by the minute.
if (!args.Any(arg => arg == "-j" || arg.StartsWith("--job", StringComparison.Ordinal))) args = [.. args, "--job", "short"];
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
