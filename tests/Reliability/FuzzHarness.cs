using System.Diagnostics;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// Runs a reader on many mutated files and holds it to its promise (DESIGN.md §8, §9): every case ends in
/// <see cref="InvalidDataException"/> or in a load whose content the caller checks; no other exception, no case
/// slower than <see cref="MaxCaseTime"/>, and no case allocating more than 16 × its size + <see cref="FixedAllowance"/>.
/// </summary>
internal sealed class FuzzHarness(string format)
{
    /// <summary>Fixed part of the per-case allocation bound: the readers' stream buffers (64 KiB), the IDX reader's
    /// first 1 MiB data block and gzip's inflater state.</summary>
    public const long FixedAllowance = 2 << 20;

    /// <summary>Longest a single case may take (generous: a loaded 2-core machine; a hang would take forever).</summary>
    public static readonly TimeSpan MaxCaseTime = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, int> _rejectedBy = [];

    public int Rejected { get; private set; }
    public int Loaded { get; private set; }
    public long MaxAllocated { get; private set; }
    public double MaxAllocatedPerByte { get; private set; }
    public TimeSpan Slowest { get; private set; }

    /// <summary>Loads <paramref name="file"/> with <paramref name="load"/>; a successful load goes to
    /// <paramref name="check"/>. <paramref name="mutation"/> labels the case in failures and in the report.</summary>
    public void Run<TResult>(int caseNumber, string mutation, byte[] file, Func<byte[], TResult> load, Action<TResult> check)
    {
        TResult? result = default;
        Exception? thrown = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        try
        {
            result = load(file);
        }
        catch (Exception e)
        {
            thrown = e;
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        string label = $"{format} case {caseNumber} ({mutation}, {file.Length} bytes)";
        if (thrown is not null and not InvalidDataException)
            Assert.Fail($"{label}: {thrown.GetType().Name} instead of InvalidDataException: {thrown}");
        Assert.That(elapsed, Is.LessThan(MaxCaseTime), $"{label} took {elapsed.TotalMilliseconds:F0} ms");
        Assert.That(allocated, Is.LessThanOrEqualTo(16L * file.Length + FixedAllowance), $"{label} allocated {allocated} bytes");
        MaxAllocated = Math.Max(MaxAllocated, allocated);
        MaxAllocatedPerByte = Math.Max(MaxAllocatedPerByte, (allocated - FixedAllowance) / (double)Math.Max(file.Length, 1));
        if (elapsed > Slowest) Slowest = elapsed;
        if (thrown is not null)
        {
            Rejected++;
            _rejectedBy[mutation] = _rejectedBy.GetValueOrDefault(mutation) + 1;
            Assert.That(thrown.Message, Is.Not.Empty, label);
            return;
        }
        Loaded++;
        check(result!);
    }

    /// <summary>Writes the counts to the test output.</summary>
    public void Report(int cases)
    {
        TestContext.Out.WriteLine($"{format}: {cases} cases, {Rejected} rejected with InvalidDataException, {Loaded} loaded " +
                                  $"and checked; slowest case {Slowest.TotalMilliseconds:F1} ms; most allocated by one case " +
                                  $"{MaxAllocated / 1024.0:F0} KiB (bound 16 × size + {FixedAllowance >> 20} MiB)");
        foreach (var (mutation, count) in _rejectedBy.OrderBy(p => p.Key, StringComparer.Ordinal))
            TestContext.Out.WriteLine($"  rejected after {mutation}: {count}");
    }
}

/// <summary>Byte-level mutations shared by the format fuzzers; all draws come from one seeded <see cref="Random"/>.</summary>
internal static class ByteMutations
{
    public static readonly string[] Names = ["bit flips", "truncation", "random byte run", "insertion", "deletion", "appended bytes"];

    public static byte[] Apply(int kind, byte[] file, Random random)
    {
        var bytes = (byte[])file.Clone();
        switch (kind)
        {
            case 0:
                for (int flips = random.Next(1, 9); flips > 0; flips--)
                {
                    int bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                }
                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
            {
                int start = random.Next(bytes.Length);
                int length = Math.Min(random.Next(1, 33), bytes.Length - start);
                random.NextBytes(bytes.AsSpan(start, length));
                return bytes;
            }
            case 3:
            {
                int at = random.Next(bytes.Length + 1);
                var run = new byte[random.Next(1, 17)];
                random.NextBytes(run);
                return [.. bytes[..at], .. run, .. bytes[at..]];
            }
            case 4:
            {
                int at = random.Next(bytes.Length);
                int length = Math.Min(random.Next(1, 17), bytes.Length - at);
                return [.. bytes[..at], .. bytes[(at + length)..]];
            }
            default:
            {
                var tail = new byte[random.Next(1, 65)];
                random.NextBytes(tail);
                return [.. bytes, .. tail];
            }
        }
    }
}
