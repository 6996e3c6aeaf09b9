using System.Numerics;

namespace CudaNet.Tests.Support;

/// <summary>Seeded test inputs, identical on every run and machine.</summary>
public static class TestData
{
    /// <summary>n values uniform in [lo, hi).</summary>
    public static T[] Uniform<T>(int seed, int n, double lo = -1, double hi = 1) where T : INumberBase<T>
    {
        var random = new Random(seed);
        var data = new T[n];
        for (int i = 0; i < n; i++) data[i] = T.CreateChecked(lo + (hi - lo) * random.NextDouble());
        return data;
    }

    /// <summary>n standard-normal values times <paramref name="std"/> (Box–Muller on System.Random).</summary>
    public static T[] Normal<T>(int seed, int n, double std = 1) where T : INumberBase<T>
    {
        var random = new Random(seed);
        var data = new T[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            data[i] = T.CreateChecked(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return data;
    }

    /// <summary>n labels uniform in [0, classes).</summary>
    public static int[] Labels(int seed, int n, int classes)
    {
        var random = new Random(seed);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = random.Next(classes);
        return labels;
    }

    /// <summary>Lengths 0..257: every remainder modulo the vector widths, plus a few past them.</summary>
    public static IEnumerable<int> AllLengths => Enumerable.Range(0, 258);

    /// <summary>Awkward matrix shapes (rows, columns): empty, single, odd, primes, and around vector widths.</summary>
    public static IEnumerable<(int Rows, int Columns)> AwkwardShapes =>
    [
        (0, 5), (1, 1), (1, 17), (2, 3), (3, 7), (5, 16), (7, 33), (16, 8), (31, 1), (13, 257), (64, 65), (128, 10),
    ];
}
