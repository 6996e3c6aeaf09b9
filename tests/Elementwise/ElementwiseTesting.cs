using CudaNet.Cpu;
using CudaNet.Tests.Support;
using NUnit.Framework;

namespace CudaNet.Tests.Elementwise;

/// <summary>Conformance base of the elementwise family: runs the same computation on the backend under test
/// and on the reference and compares.</summary>
public abstract class ElementwiseConformance(string backendName) : ConformanceTest(backendName)
{
    /// <summary>Lengths past 2·32K elements, so the SIMD kernels split work over threads.</summary>
    protected static readonly int[] ParallelLengths = [2 * 32768 + 7, 300_001];

    /// <summary>Asserts that <paramref name="compute"/> gives the same numbers on both backends.</summary>
    protected void Agree(string what, Func<IBackend<float>, float[]> compute, double rtol, double atol) =>
        Close.All<float>(compute(Backend), compute(Reference), rtol, atol, $"{BackendName} vs reference: {what}");
}

/// <summary>Helpers shared by the elementwise tests.</summary>
internal static class Expect
{
    /// <summary>Both float64 CPU implementations, for gradient checks and closed forms.</summary>
    public static readonly CpuKernels[] BothKernels = [CpuKernels.Reference, CpuKernels.Simd];

    /// <summary>The call throws exactly <see cref="ArgumentException"/> naming the op and the argument.</summary>
    public static void ArgumentError(Action call, string op, string argument)
    {
        var error = Assert.Throws<ArgumentException>(call);
        Assert.That(error!.Message, Does.Contain(op + ":").And.Contain($"'{argument}'"));
        Assert.That(error.ParamName, Is.EqualTo(argument));
    }

    /// <summary>The gradient check covered elements and passed.</summary>
    public static void Passed(GradientCheckResult result)
    {
        Assert.That(result.Elements, Is.GreaterThan(0));
        Assert.That(result.Passed, Is.True, result.ToString());
    }

    /// <summary>Σ a[i]·b[i] in float64.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
