using System.Numerics;
using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Stochastic;

/// <summary>An op of this family: (backend, output, input) with everything else fixed by the caller.</summary>
public delegate void StochasticOp<T>(IBackend<T> backend, Tensor<T> output, Tensor<T> input)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Helpers shared by the stochastic tests.</summary>
public static class StochasticTestSupport
{
    /// <summary>(seed, offset) pairs: zero, odd, and with the high words set (key and counter layout).</summary>
    public static readonly (ulong Seed, ulong Offset)[] Streams =
    [
        (0, 0), (1, 1), (0x9E3779B97F4A7C15, 3), (12345, (1UL << 32) + 7), (ulong.MaxValue, ulong.MaxValue),
    ];

    /// <summary>Uploads <paramref name="input"/>, runs the op into a fresh output and downloads it.</summary>
    public static T[] Run<T>(IBackend<T> backend, T[] input, StochasticOp<T> op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var x = backend.FromArray(input, input.Length);
        using var y = backend.Allocate<T>(input.Length);
        op(backend, y, x);
        return backend.ToArray(y);
    }

    /// <summary>SIMD vs reference, bit for bit, for every length 0..257, every stream and a length that spans
    /// several parallel chunks whose boundaries fall inside Philox blocks.</summary>
    public static void AssertSimdMatchesReference<T>(IBackend<T> simd, IBackend<T> reference, Func<ulong, ulong, StochasticOp<T>> op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var (seed, offset) in Streams)
        {
            foreach (int n in TestData.AllLengths.Append(100_003))
            {
                var x = TestData.Uniform<T>(n, n, -3, 3);
                Close.Exact<T>(Run(simd, x, op(seed, offset)), Run(reference, x, op(seed, offset)),
                    $"{simd.Name} vs {reference.Name}, n {n}, seed {seed}, offset {offset}");
            }
        }
    }

    /// <summary>Standard normal CDF Φ(z) = (1 + erf(z/√2))/2 with Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7).</summary>
    public static double NormalCdf(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erf = 1 - poly * Math.Exp(-x * x);
        return 0.5 * (1 + (z < 0 ? -erf : erf));
    }

    /// <summary>Asserts that <paramref name="call"/> throws an ArgumentException naming the op and the argument.</summary>
    public static void AssertBadArgument(Action call, string op, string argument)
    {
        var error = Assert.Catch<ArgumentException>(() => call())!;
        Assert.That(error.Message, Does.Contain(op).And.Contain($"'{argument}'"));
    }

    /// <summary>A float64 CPU backend: the reference or SIMD.</summary>
    public static CpuBackend<double> Double(bool reference) => new(reference ? CpuKernels.Reference : CpuKernels.Simd);
}
