using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace CudaNet.Cpu;

/// <summary>One parallel loop: chunk c of [0, <see cref="Count"/>) is [Count·c/Chunks, Count·(c+1)/Chunks).</summary>
internal abstract class ParallelJob
{
    public int Count { get; protected set; }

    public int Chunks { get; protected set; }

    public abstract void RunChunk(int chunk);

    public static int ChunkStart(int count, int chunks, int chunk) => (int)((long)count * chunk / chunks);
}

/// <summary>
/// A loop whose body takes a state value: with a static lambda for the body and a value tuple for the state, running
/// it allocates nothing. One instance per calling thread and state type is kept and reused.
/// </summary>
internal sealed class ParallelJob<TState> : ParallelJob
{
    [ThreadStatic] private static ParallelJob<TState>? t_spare;

    private TState _state = default!;
    private Action<TState, int, int, int> _body = null!;

    /// <summary>This thread's spare job (a new one when a nested loop holds it), set up for one loop.</summary>
    public static ParallelJob<TState> Rent(int count, int chunks, TState state, Action<TState, int, int, int> body)
    {
        var job = t_spare ?? new ParallelJob<TState>();
        t_spare = null;
        job.Count = count;
        job.Chunks = chunks;
        job._state = state;
        job._body = body;
        return job;
    }

    /// <summary>Drops the references the loop held (tensors stay collectable) and keeps the job for the next loop.</summary>
    public void Return()
    {
        _state = default!;
        _body = null!;
        t_spare = this;
    }

    public override void RunChunk(int chunk) =>
        _body(_state, chunk, ChunkStart(Count, Chunks, chunk), ChunkStart(Count, Chunks, chunk + 1));
}

/// <summary>
/// The CPU backend's worker threads: one process-wide set of background threads (one fewer than the cores: the
/// calling thread works too) that run the chunks of one <see cref="ParallelJob"/> at a time. Unlike
/// <c>Parallel.For</c> it allocates nothing per loop (about 1.9 KB there), so the SIMD ops allocate nothing per
/// call. A loop started while another is running (a second thread calling a backend, or a loop inside a loop's
/// body) runs its chunks in order on its own thread; chunking never depends on who runs a chunk, so neither do
/// the results.
/// </summary>
internal sealed class CpuWorkers
{
    /// <summary>The process's workers.</summary>
    public static CpuWorkers Shared { get; } = new(Environment.ProcessorCount - 1);

    private readonly int _helperCount;
    private readonly SemaphoreSlim _wake = new(0);
    // A semaphore rather than a ManualResetEventSlim: the event creates its lock object the first time a waiter
    // blocks, an allocation at an unpredictable call; the semaphore creates it up front.
    private readonly SemaphoreSlim _helpersDone = new(0);
    private readonly object _startLock = new();
    private bool _started;
    private int _busy;
    private ParallelJob? _job;
    private int _nextChunk;
    private int _helpersOut;
    private ExceptionDispatchInfo? _error;

    private CpuWorkers(int helperCount) => _helperCount = Math.Max(0, helperCount);

    /// <summary>Runs every chunk of <paramref name="job"/> on at most <paramref name="maxThreads"/> threads, the
    /// calling thread included, and returns when all have finished; rethrows the first exception of a chunk.</summary>
    public void Run(ParallelJob job, int maxThreads)
    {
        int helpers = Math.Min(Math.Min(maxThreads, job.Chunks) - 1, _helperCount);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int chunk = 0; chunk < job.Chunks; chunk++) job.RunChunk(chunk);
            return;
        }
        try
        {
            EnsureStarted();
            _job = job;
            _error = null;
            _nextChunk = 0;
            _helpersOut = helpers;
            _wake.Release(helpers);
            Work(job);
            // Every helper woken for this loop checks in before the next loop can start, so none of them can take
            // a chunk index of one loop and run it on the next.
            SpinUntilSignalled(_helpersDone);
            _helpersDone.Wait();
            _error?.Throw();
        }
        finally
        {
            _job = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    private void Work(ParallelJob job)
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _nextChunk) - 1) < job.Chunks)
        {
            try
            {
                job.RunChunk(chunk);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(exception), null);
            }
        }
    }

    private void HelperLoop()
    {
        while (true)
        {
            SpinUntilSignalled(_wake);
            _wake.Wait();
            Work(Volatile.Read(ref _job)!);
            if (Interlocked.Decrement(ref _helpersOut) == 0) _helpersDone.Release();
        }
    }

    /// <summary>
    /// Polls <paramref name="signal"/> for up to <see cref="SpinMicroseconds"/> before the caller blocks on it. A
    /// training step is a burst of ops microseconds apart: a thread that went to sleep between two of them costs a
    /// wake-up of 10–50 µs, more than a small op's whole work (a 128×10×512 GEMM ran at half speed).
    /// </summary>
    private static void SpinUntilSignalled(SemaphoreSlim signal)
    {
        long deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        var spinner = new SpinWait();
        while (signal.CurrentCount == 0 && Stopwatch.GetTimestamp() < deadline) spinner.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary>How long an idle thread polls for the next loop before it sleeps.</summary>
    private const long SpinMicroseconds = 100;

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _started)) return;
        lock (_startLock)
        {
            if (_started) return;
            for (int i = 0; i < _helperCount; i++)
                new Thread(HelperLoop) { IsBackground = true, Name = $"CudaNet CPU worker {i + 1}" }.Start();
            Volatile.Write(ref _started, true);
        }
    }
}
