using NUnit.Framework;

namespace CudaNet.Tests.Training;

public sealed class EarlyStoppingTests
{
    /// <summary>A run that records what the callback asks of it; "weights" are the epoch they were taken at.</summary>
    private sealed class ScriptedRun : ITrainingRun
    {
        public int Epoch { get; set; }
        public IReadOnlyList<EpochMetrics> History => [];
        public bool Stopped { get; private set; }
        public int? RestoredFrom { get; private set; }
        public void StopTraining() => Stopped = true;
        public object SnapshotWeights() => Epoch;
        public void RestoreWeights(object snapshot) => RestoredFrom = (int)snapshot;
    }

    /// <summary>Feeds val_loss values epoch by epoch until the callback stops; returns the stopping epoch (1-based,
    /// 0 if it never stopped) and the epoch whose weights were restored.</summary>
    private static (int Stopped, int? Restored, EarlyStopping Callback) Drive(EarlyStopping callback, params double[] valLoss)
    {
        var run = new ScriptedRun();
        callback.OnTrainBegin(run);
        for (int e = 1; e <= valLoss.Length && !run.Stopped; e++)
        {
            run.Epoch = e;
            callback.OnEpochEnd(run, new EpochMetrics(e, 1.0, null, valLoss[e - 1], 1 - valLoss[e - 1], 1e-3, 0, 0));
        }
        callback.OnTrainEnd(run);
        return (run.Stopped ? run.Epoch : 0, run.RestoredFrom, callback);
    }

    [Test]
    public void StopsAfterPatienceEpochsWithoutImprovementAndRestoresTheBest()
    {
        var (stopped, restored, callback) = Drive(new EarlyStopping(patience: 3, restoreBestWeights: true),
            0.9, 0.7, 0.5, 0.55, 0.52, 0.51, 0.4);
        Assert.That(stopped, Is.EqualTo(6), "epochs 4, 5, 6 do not beat 0.5");
        Assert.That(callback.BestEpoch, Is.EqualTo(3));
        Assert.That(restored, Is.EqualTo(3));
    }

    [Test]
    public void MinDeltaDecidesWhatCountsAsImprovement()
    {
        // With min_delta 0.05, 0.48 is not an improvement over 0.5 (it must go below 0.45).
        var (stopped, _, callback) = Drive(new EarlyStopping(patience: 2, minDelta: 0.05), 0.5, 0.48, 0.47, 0.1);
        Assert.That(stopped, Is.EqualTo(3));
        Assert.That(callback.BestEpoch, Is.EqualTo(1));
    }

    [Test]
    public void PatienceZeroStopsAtTheFirstEpochThatDoesNotImprove()
    {
        var (stopped, _, _) = Drive(new EarlyStopping(patience: 0), 0.5, 0.4, 0.45, 0.3);
        Assert.That(stopped, Is.EqualTo(3));
    }

    [Test]
    public void ABaselineMustBeBeatenToResetTheWait()
    {
        // Improvements that stay above the 0.3 baseline do not restart the wait, so the first epoch that does
        // not improve already exceeds the patience; without the baseline it takes one more.
        double[] losses = [0.9, 0.8, 0.85, 0.84];
        Assert.That(Drive(new EarlyStopping(patience: 2, baseline: 0.3), losses).Stopped, Is.EqualTo(3));
        Assert.That(Drive(new EarlyStopping(patience: 2), losses).Stopped, Is.EqualTo(4));
    }

    [Test]
    public void EpochsBeforeStartFromEpochAreIgnored()
    {
        var (stopped, _, callback) = Drive(new EarlyStopping(patience: 1, startFromEpoch: 3), 0.1, 0.9, 0.9, 0.8, 0.85, 0.2);
        Assert.That(callback.BestEpoch, Is.EqualTo(5 - 1));
        Assert.That(stopped, Is.EqualTo(5));
    }

    [Test]
    public void AccuracyIsMaximisedInAutoMode()
    {
        var callback = new EarlyStopping(monitor: "val_accuracy", patience: 1, restoreBestWeights: true);
        Assert.That(callback.Mode, Is.EqualTo(MonitorMode.Max));
        // val_accuracy = 1 - val_loss here: 0.5, 0.7, 0.6 → stops at 3 and restores epoch 2.
        var (stopped, restored, _) = Drive(callback, 0.5, 0.3, 0.4);
        Assert.That((stopped, restored), Is.EqualTo((3, (int?)2)));
    }

    [Test]
    public void RestoresTheBestWeightsAtTheEndEvenWithoutStopping()
    {
        var (stopped, restored, _) = Drive(new EarlyStopping(patience: 5, restoreBestWeights: true), 0.5, 0.3, 0.4);
        Assert.That(stopped, Is.Zero);
        Assert.That(restored, Is.EqualTo(2));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.Throws<ArgumentException>(() => _ = new EarlyStopping(monitor: "val_f1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EarlyStopping(patience: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EarlyStopping(minDelta: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EarlyStopping(startFromEpoch: -2));
    }
}
