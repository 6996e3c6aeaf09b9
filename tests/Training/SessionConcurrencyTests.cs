using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Training;

public sealed class SessionConcurrencyTests
{
    /// <summary>From inside Fit (the session is busy), runs <paramref name="call"/> on another thread and keeps
    /// what it threw.</summary>
    private sealed class CallFromAnotherThread(Action call) : Callback
    {
        public Exception? Thrown { get; private set; }

        public override void OnTrainBegin(ITrainingRun run) =>
            Thrown = Task.Run(() =>
            {
                try
                {
                    call();
                    return null;
                }
                catch (Exception e)
                {
                    return e;
                }
            }).GetAwaiter().GetResult();
    }

    [Test]
    public void ASecondThreadGetsAClearInvalidOperationException()
    {
        using var cpu = new CpuBackend<float>();
        var data = Blobs.Make(64, 5, 3, separation: 1, seed: 1);
        using var session = new Sequential(new Dense(5, 8), new ReLU(), new Dense(8, 3)).Compile(cpu, new Adam(), Loss.SoftmaxCrossEntropy);
        var calls = new Action[]
        {
            () => session.Predict(data),
            () => session.Fit(data, epochs: 1),
            () => session.Evaluate(data),
            () => session.PredictWithUncertainty(data, samples: 2),
            () => LearningRateFinder.Run(session, data, steps: 5),
        };
        foreach (var call in calls)
        {
            var probe = new CallFromAnotherThread(call);
            session.Fit(data, epochs: 1, callbacks: [probe]);
            Assert.That(probe.Thrown, Is.TypeOf<InvalidOperationException>());
            Assert.That(probe.Thrown!.Message, Does.Contain("single-threaded").And.Contain("another call is in progress"));
        }
        Assert.That(session.Predict(data), Has.Length.EqualTo(64 * 3), "the session is free again once Fit returns");
        Assert.That(session.Epoch, Is.EqualTo(calls.Length), "the rejected calls trained nothing");
    }
}
