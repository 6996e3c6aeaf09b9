using CudaNet.Cpu;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

public sealed class NonFiniteStepTests
{
    // No dropout: a skipped step must leave nothing behind that the twin run (without the bad batch) lacks.
    private static Sequential Mlp() => new(new Dense(6, 16), new ReLU(), new Dense(16, 16), new Tanh(), new Dense(16, 3));

    private static readonly Dataset Clean = Blobs.Make(96, 6, 3, separation: 1, seed: 8);

    /// <summary>Clean with a NaN feature in example <paramref name="row"/>.</summary>
    private static Dataset Poisoned(int row)
    {
        var features = (float[])Clean.Features.Clone();
        features[row * 6 + 2] = float.NaN;
        return Dataset.WithLabels(features, 6, Clean.Labels!, 3);
    }

    [Test]
    public void SkipLeavesParametersAndOptimizerStateExactlyAsWithoutTheBadBatch()
    {
        using var cpu = new CpuBackend<float>();
        var options = new FitOptions(BatchSize: 32, Shuffle: false, OnNonFinite: NonFinite.Skip);
        using var session = Mlp().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 4);
        using var twin = Mlp().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 4);
        // Batches are rows 0-31, 32-63, 64-95; the NaN sits in the second. The twin trains on the other two only.
        var metrics = session.Fit(Poisoned(40), epochs: 2, options: options);
        twin.Fit(Clean.Subset([.. Enumerable.Range(0, 32), .. Enumerable.Range(64, 32)]), epochs: 2, options: options);

        Assert.That(metrics.Select(m => m.SkippedSteps), Is.EqualTo(new[] { 1, 1 }));
        Assert.That((session.Step, session.SkippedSteps), Is.EqualTo((4L, 2L)));
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.EqualTo(cpu.ToArray(twin.Network.Parameters)));
        Assert.That(session.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor)),
            Is.EqualTo(twin.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor))));
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.All.Not.NaN);
        Assert.That(metrics[0].ToLine(2), Does.Contain("skipped 1"));
    }

    [Test]
    public void ASkippedStepLeavesBatchNormRunningStatisticsUntouched()
    {
        using var cpu = new CpuBackend<float>();
        var bn = new Sequential(new Dense(6, 8), new BatchNorm(8), new ReLU(), new Dense(8, 3));
        using var session = bn.Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 4);
        session.Fit(Clean, epochs: 1, options: new FitOptions(BatchSize: 96));
        var running = cpu.ToArray(session.Network.Buffers!);
        var metrics = session.Fit(Poisoned(5), epochs: 1, options: new FitOptions(BatchSize: 96));
        Assert.That(metrics[0].SkippedSteps, Is.EqualTo(1));
        Assert.That(cpu.ToArray(session.Network.Buffers!), Is.EqualTo(running), "the NaN batch must not reach running_mean/var");
        Assert.That(session.Evaluate(Clean).Loss, Is.Not.NaN);
    }

    [Test]
    public void ASkippedOnlyStepChangesNothing()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp().Compile(cpu, new Adam(1e-2), Loss.SoftmaxCrossEntropy, seed: 4);
        var parameters = cpu.ToArray(session.Network.Parameters);
        var state = session.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor)).ToArray();
        var metrics = session.Fit(Poisoned(5), epochs: 3, options: new FitOptions(BatchSize: 96));
        Assert.That(metrics.Select(m => m.SkippedSteps), Is.All.EqualTo(1));
        Assert.That(session.Step, Is.Zero);
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.EqualTo(parameters));
        Assert.That(session.OptimizerState.Tensors.Select(t => cpu.ToArray(t.Tensor)), Is.EqualTo(state));
    }

    [Test]
    public void ThrowNamesTheFirstLayerWhoseOutputWentNonFinite()
    {
        using var cpu = new CpuBackend<float>();
        using var session = Mlp().Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy, seed: 4);
        var options = new FitOptions(BatchSize: 32, OnNonFinite: NonFinite.Throw);
        var fromData = Assert.Throws<NonFiniteException>(() => session.Fit(Poisoned(3), epochs: 1, options: options))!;
        Assert.That(fromData.Message, Does.Contain("layer 0 (Dense)"));

        // A NaN weight in layer 2: layers 0 and 1 stay finite, so layer 2 is the first to go bad.
        var weight = session.Network.NamedParameters.Single(p => p.Name == "2.weight").Parameter.Value;
        var values = cpu.ToArray(weight);
        values[7] = float.NaN;
        cpu.Upload(weight, values);
        var fromWeight = Assert.Throws<NonFiniteException>(() => session.Fit(Clean, epochs: 1, options: options))!;
        Assert.That(fromWeight.Message, Does.Contain("layer 2 (Dense)").And.Contain("Step 1"));
        Assert.That(session.Step, Is.Zero);
        Assert.That(session.Predict(Clean), Has.Length.EqualTo(96 * 3), "the session is usable after the exception");
    }

    [Test]
    public void AHugeLearningRateIsSkippedOnceItOverflows()
    {
        using var cpu = new CpuBackend<float>();
        using var session = new Sequential(new Dense(6, 16), new ReLU(), new Dense(16, 3))
            .Compile(cpu, new Sgd(1e30), Loss.SoftmaxCrossEntropy, seed: 4);
        var metrics = session.Fit(Clean, epochs: 3, options: new FitOptions(BatchSize: 32, Shuffle: false));
        // The first update is finite but enormous: the next batch's logits overflow, and every later step is skipped.
        Assert.That(metrics.Sum(m => m.SkippedSteps), Is.GreaterThan(0));
        Assert.That(cpu.ToArray(session.Network.Parameters), Is.All.Not.NaN, "skipped steps never write NaN into the weights");
        Assert.That(session.Step + session.SkippedSteps, Is.EqualTo(9));
    }
}
