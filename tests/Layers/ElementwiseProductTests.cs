using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Layers;

/// <summary>The exact elementwise product composed from PReLUBackward (used by Softmax and moment matching).</summary>
public sealed class ElementwiseProductTests
{
    [TestCaseSource(typeof(Backends), nameof(Backends.Kernels))]
    public void EqualsThePlainProductBitForBit(CpuKernels kernels)
    {
        using var backend = new CpuBackend<double>(kernels);
        var random = new Random(1);
        var special = new[] { 0.0, -0.0, 1e300, -1e-300, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 3.5 };
        var a = Enumerable.Range(0, 203).Select(i => i < 64 ? special[i % 8] : 4 * random.NextDouble() - 2).ToArray();
        var b = Enumerable.Range(0, 203).Select(i => i < 64 ? special[i / 8] : 4 * random.NextDouble() - 2).ToArray();
        using var product = new ElementwiseProduct<double>(backend, 300);
        using var at = backend.FromArray(a, 203);
        using var bt = backend.FromArray(b, 203);
        using var result = backend.Allocate<double>(7, 29);
        product.Multiply(result, at, bt);
        var actual = backend.ToArray(result);
        for (int i = 0; i < a.Length; i++)
        {
            double expected = a[i] * b[i];
            // ±0 may differ in sign (0 + (-0) is +0); every other value is the exact IEEE product.
            if (expected == 0) Assert.That(actual[i], Is.EqualTo(0.0), $"{a[i]} * {b[i]}");
            else Assert.That(actual[i], Is.EqualTo(expected), $"{a[i]} * {b[i]}");
        }
    }
}
