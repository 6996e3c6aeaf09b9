using System.Numerics;

namespace CudaNet.Tests.Normalization;

/// <summary>Outputs of a normalisation forward pass, downloaded to host arrays.</summary>
internal sealed record NormForward<T>(T[] Y, T[] SavedMean, T[] SavedInvStd, T[] RunningMean, T[] RunningVar);

/// <summary>Outputs of a normalisation backward pass, downloaded to host arrays.</summary>
internal sealed record NormBackward<T>(T[] Dx, T[] DGamma, T[] DBeta);

/// <summary>Runs the normalisation ops on host arrays: uploads, calls the op, downloads, disposes.</summary>
internal static class NormRunner
{
    /// <summary>Batch-norm training forward; the running statistics are updated copies of the ones given.</summary>
    public static NormForward<T> BatchNormTraining<T>(IBackend<T> backend, T[] x, int rows, int features, T[] gamma,
        T[] beta, T[] runningMean, T[] runningVar, double momentum = 0.1, double eps = 1e-5, Activation activation = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var xt = backend.FromArray(x, rows, features);
        using var y = backend.Allocate<T>(rows, features);
        using var mean = backend.Allocate<T>(features);
        using var invStd = backend.Allocate<T>(features);
        using var rm = backend.FromArray(runningMean, features);
        using var rv = backend.FromArray(runningVar, features);
        using var g = backend.FromArray(gamma, features);
        using var b = backend.FromArray(beta, features);
        backend.BatchNormForwardTraining(y, mean, invStd, rm, rv, xt, g, b, momentum, eps, activation);
        return new(backend.ToArray(y), backend.ToArray(mean), backend.ToArray(invStd), backend.ToArray(rm), backend.ToArray(rv));
    }

    /// <summary>Batch-norm inference forward.</summary>
    public static T[] BatchNormInference<T>(IBackend<T> backend, T[] x, int rows, int features, T[] gamma, T[] beta,
        T[] runningMean, T[] runningVar, double eps = 1e-5, Activation activation = default) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var xt = backend.FromArray(x, rows, features);
        using var y = backend.Allocate<T>(rows, features);
        using var g = backend.FromArray(gamma, features);
        using var b = backend.FromArray(beta, features);
        using var rm = backend.FromArray(runningMean, features);
        using var rv = backend.FromArray(runningVar, features);
        backend.BatchNormForwardInference(y, xt, g, b, rm, rv, eps, activation);
        return backend.ToArray(y);
    }

    /// <summary>Batch-norm backward from saved statistics; dγ and dβ start filled with 7 to show that they are
    /// overwritten. With a fused ReLU, <paramref name="y"/> is the forward's output that masks dy.</summary>
    public static NormBackward<T> BatchNormBackward<T>(IBackend<T> backend, T[] dy, T[] x, int rows, int features,
        T[] gamma, T[] savedMean, T[] savedInvStd, T[]? y = null, Activation activation = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var yt = y is null ? null : backend.FromArray(y, rows, features);
        using var dyt = backend.FromArray(dy, rows, features);
        using var xt = backend.FromArray(x, rows, features);
        using var dx = backend.Allocate<T>(rows, features);
        using var dg = backend.FromArray(Sevens<T>(features), features);
        using var db = backend.FromArray(Sevens<T>(features), features);
        using var g = backend.FromArray(gamma, features);
        using var mean = backend.FromArray(savedMean, features);
        using var invStd = backend.FromArray(savedInvStd, features);
        backend.BatchNormBackward(dx, dg, db, dyt, xt, g, mean, invStd, yt, activation);
        return new(backend.ToArray(dx), backend.ToArray(dg), backend.ToArray(db));
    }

    /// <summary>Group-norm forward, or layer-norm forward when <paramref name="groups"/> is null.</summary>
    public static NormForward<T> GroupNorm<T>(IBackend<T> backend, T[] x, int rows, int features, T[] gamma, T[] beta,
        int? groups, double eps = 1e-5) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int statistics = rows * (groups ?? 1);
        using var xt = backend.FromArray(x, rows, features);
        using var y = backend.Allocate<T>(rows, features);
        using var mean = backend.Allocate<T>(statistics);
        using var invStd = backend.Allocate<T>(statistics);
        using var g = backend.FromArray(gamma, features);
        using var b = backend.FromArray(beta, features);
        if (groups is { } count) backend.GroupNormForward(y, mean, invStd, xt, g, b, count, eps);
        else backend.LayerNormForward(y, mean, invStd, xt, g, b, eps);
        return new(backend.ToArray(y), backend.ToArray(mean), backend.ToArray(invStd), [], []);
    }

    /// <summary>Group-norm backward, or layer-norm backward when <paramref name="groups"/> is null. dγ and dβ start
    /// filled with 7 to show that they are overwritten.</summary>
    public static NormBackward<T> GroupNormBackward<T>(IBackend<T> backend, T[] dy, T[] x, int rows, int features,
        T[] gamma, T[] savedMean, T[] savedInvStd, int? groups) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var dyt = backend.FromArray(dy, rows, features);
        using var xt = backend.FromArray(x, rows, features);
        using var dx = backend.Allocate<T>(rows, features);
        using var dg = backend.FromArray(Sevens<T>(features), features);
        using var db = backend.FromArray(Sevens<T>(features), features);
        using var g = backend.FromArray(gamma, features);
        using var mean = backend.FromArray(savedMean, savedMean.Length);
        using var invStd = backend.FromArray(savedInvStd, savedInvStd.Length);
        if (groups is { } count) backend.GroupNormBackward(dx, dg, db, dyt, xt, g, mean, invStd, count);
        else backend.LayerNormBackward(dx, dg, db, dyt, xt, g, mean, invStd);
        return new(backend.ToArray(dx), backend.ToArray(dg), backend.ToArray(db));
    }

    private static T[] Sevens<T>(int count) where T : INumberBase<T> => Enumerable.Repeat(T.CreateChecked(7), count).ToArray();

    /// <summary>Σ a ⊙ b in double: the scalar f of a gradient check.</summary>
    public static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>The float64 backends every golden and gradient test runs on.</summary>
    public static IEnumerable<string> DoubleBackends => ["cpu-reference", "cpu"];

    /// <summary>A float64 CPU backend by name.</summary>
    public static Cpu.CpuBackend<double> CreateDouble(string name) =>
        new(name == "cpu-reference" ? Cpu.CpuKernels.Reference : Cpu.CpuKernels.Simd);
}
