namespace CudaNet;

/// <summary>
/// Float64 random numbers on the host from the Philox stream (seed, stream): weight initialisation and data
/// shuffling. Deterministic on every machine and .NET version, unlike <see cref="Random"/>'s unspecified algorithm.
/// </summary>
public sealed class HostRandom
{
    private readonly ulong _seed, _stream;
    private ulong _block;
    private uint _w0, _w1, _w2, _w3;
    private int _next = 4;

    /// <summary>Creates the generator for stream <paramref name="stream"/> of <paramref name="seed"/>.</summary>
    public HostRandom(ulong seed, ulong stream)
    {
        _seed = seed;
        _stream = stream;
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        if (_next == 4)
        {
            (_w0, _w1, _w2, _w3) = Philox.Block(_seed, _stream, _block++);
            _next = 0;
        }
        return _next++ switch { 0 => _w0, 1 => _w1, 2 => _w2, _ => _w3 };
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => ((ulong)(NextUInt32() >> 5) * (1UL << 26) + (NextUInt32() >> 6)) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Normal with the given mean and standard deviation (Box–Muller, one value per call).</summary>
    public double Normal(double mean = 0, double std = 1)
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: the logarithm never sees 0
        double u2 = NextDouble();
        return mean + std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform integer in [0, <paramref name="n"/>) without modulo bias (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "HostRandom.NextInt: n must be > 0.");
        ulong product = (ulong)NextUInt32() * (uint)n;
        uint low = (uint)product;
        if (low < (uint)n)
        {
            uint threshold = (uint)(-n) % (uint)n;
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * (uint)n;
                low = (uint)product;
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
    public void Shuffle<TItem>(Span<TItem> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
