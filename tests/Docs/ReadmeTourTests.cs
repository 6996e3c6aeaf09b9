using CudaNet.Cpu;
using CudaNet.Cuda;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Docs;

/// <summary>The README's API tour, compiled and run (on the bundled sample, few epochs), so it cannot rot.</summary>
public sealed class ReadmeTourTests
{
    [Test]
    public void TheApiTourRuns()
    {
        string runFolder = Directory.CreateTempSubdirectory("cudanet-tour").FullName;
        string sample = Path.Combine(Data.IdxTests.RepoRoot(), "data", "fashion-mnist-sample");
        try
        {
            // ---- README tour begins (the README passes no folder to Load, uses 10 epochs and runs/mine) ----
            using var backend = Backends.Create("auto");          // CUDA if a usable GPU is present, else the SIMD CPU
            var fashion = FashionMnist.Load(sample);              // Debian's dataset-fashion-mnist, else the bundled sample
            var (train, validation) = Dataset.FromImages(fashion.Train).Split(0.1, seed: 42);
            var standardizer = Standardizer.Fit(train);            // feature-wise mean/std of the training split
            var model = new Sequential(
                new Dense(784, 512), new BatchNorm(512), new ReLU(), new Dropout(0.2),
                new Dense(512, 512), new BatchNorm(512), new ReLU(), new Dropout(0.2),
                new Dense(512, 10));
            using var run = model.Compile(backend, new Adam(lr: 1e-3), Loss.SoftmaxCrossEntropy, seed: 42);
            var history = run.Fit(standardizer.Apply(train), standardizer.Apply(validation), epochs: 2,
                options: new FitOptions(BatchSize: 128, Schedule: new CosineAnnealing(tMax: 2)),
                callbacks: [new EarlyStopping(patience: 3, restoreBestWeights: true)]);
            var test = run.Evaluate(standardizer.Apply(Dataset.FromImages(fashion.Test)));
            run.SaveCheckpoint(runFolder);                         // model.safetensors (PyTorch names) + training-state
            var uncertain = run.PredictWithUncertainty(standardizer.Apply(Dataset.FromImages(fashion.Test)), samples: 8);

            using var cpu64 = new CpuBackend<double>();            // gradient-check a layer (yours too) in float64
            var checks = LayerGradientCheck.Run(cpu64, new LayerNorm(16), inputFeatures: 16, rows: 4);
            // ---- README tour ends ----

            Assert.That(history, Has.Count.EqualTo(2));
            Assert.That(test.Accuracy, Is.GreaterThan(0.7));
            Assert.That(File.Exists(Path.Combine(runFolder, "model.safetensors")), Is.True);
            Assert.That(uncertain, Is.Not.Null);
            Assert.That(checks.All(c => c.Result.Passed), Is.True);
        }
        finally
        {
            Directory.Delete(runFolder, recursive: true);
        }
    }
}
