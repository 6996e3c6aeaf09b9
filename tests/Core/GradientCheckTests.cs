using CudaNet.Cpu;
using NUnit.Framework;

namespace CudaNet.Tests.Core;

public sealed class GradientCheckTests
{
    [Test]
    public void AcceptsTheTrueGradientOfAClosedForm()
    {
        // f(x) = Σ sin(xᵢ)·xᵢ², ∂f/∂xᵢ = cos(xᵢ)·xᵢ² + 2xᵢ·sin(xᵢ).
        double[] x = [0.3, -1.2, 2.5, 0.0, 4.0];
        double[] analytic = x.Select(v => Math.Cos(v) * v * v + 2 * v * Math.Sin(v)).ToArray();
        var result = GradientCheck.Check(x, analytic, () => x.Sum(v => Math.Sin(v) * v * v));
        Assert.That(result.Passed, Is.True, result.ToString());
        Assert.That(result.AbsoluteError, Is.LessThan(1e-8));
        Assert.That(x, Is.EqualTo(new[] { 0.3, -1.2, 2.5, 0.0, 4.0 }), "inputs are restored exactly");
    }

    [Test]
    public void RejectsAWrongGradientAndNamesTheWorstElement()
    {
        double[] x = [1.0, 2.0, 3.0];
        double[] wrong = [2.0, 4.0, 6.1]; // ∂(Σx²)/∂x₂ is 6, not 6.1
        var result = GradientCheck.Check(x, wrong, () => x.Sum(v => v * v));
        Assert.That(result.Passed, Is.False);
        Assert.That(result.WorstIndex, Is.EqualTo(2));
        Assert.That(result.Numeric, Is.EqualTo(6.0).Within(1e-6));
        Assert.That(result.AbsoluteError, Is.EqualTo(0.1).Within(1e-6));
        Assert.That(result.Allowed, Is.EqualTo(1e-5 + 1e-3 * 6).Within(1e-9));
    }

    [Test]
    public void NaNGradientFails()
    {
        double[] x = [1.0];
        var result = GradientCheck.Check(x, [double.NaN], () => x[0]);
        Assert.That(result.Passed, Is.False);
    }

    [Test]
    public void BadArgumentsThrow()
    {
        double[] x = [1.0, 2.0];
        Assert.Throws<ArgumentException>(() => GradientCheck.Check(x, [1.0], () => 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(x, [1.0, 1.0], () => 0, eps: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(x, [1.0, 1.0], () => 0, atol: -1));
    }

    [TestCase(CpuKernels.Reference)]
    [TestCase(CpuKernels.Simd)]
    public void EveryDifferentiableOpPassesItsGradientCheck(CpuKernels kernels)
    {
        using var cpu = new CpuBackend<double>(kernels);
        var rows = OpGradientChecks.Run(cpu);
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(20));
        Assert.Multiple(() =>
        {
            foreach (var row in rows) Assert.That(row.Result.Passed, Is.True, $"{row.Op} / {row.Input}: {row.Result}");
        });
        Assert.That(cpu.Allocations.LiveCount, Is.Zero, "the checks release every tensor they allocate");
    }
}
