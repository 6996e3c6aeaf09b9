using CudaNet;
using CudaNet.Cpu;

// Saves checkpoints into a folder in a loop until killed (tests/Reliability/CrashDuringSaveTests.cs).
// Usage: CudaNet.CrashChild network|session FOLDER
// Save k holds parameters all equal to k, and "saved k" is printed once save k has returned, so the parent knows
// which saves completed before its kill and can tell a complete file from a torn one.
if (args.Length != 2 || args[0] is not ("network" or "session"))
{
    Console.Error.WriteLine("usage: CudaNet.CrashChild network|session FOLDER");
    return 2;
}
string folder = args[1];
Directory.CreateDirectory(folder);
using var cpu = new CpuBackend<float>(maxThreads: 1);
var model = new Sequential(new Dense(256, 256), new ReLU(), new Dense(256, 10));
using var session = model.Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy);
for (int k = 1; ; k++)
{
    cpu.Fill(session.Network.Parameters, k);
    if (args[0] == "network") session.Network.Save(Path.Combine(folder, "model.safetensors"));
    else session.SaveCheckpoint(folder);
    Console.Out.WriteLine($"saved {k}");
    Console.Out.Flush();
}
