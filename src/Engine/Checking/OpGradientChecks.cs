namespace CudaNet;

/// <summary>One row of <see cref="OpGradientChecks.Run"/>: an op, one of its inputs, and the check's outcome.</summary>
public sealed record OpGradientCheckRow(string Op, string Input, GradientCheckResult Result);

/// <summary>
/// The float64 gradient check of every differentiable op of <see cref="IBackend{T}"/> (what <c>cudanet gradcheck</c>
/// runs): small odd shapes, inputs away from kinks, PyTorch's tolerances.
/// </summary>
public static class OpGradientChecks
{
    private const int N = 5, F = 6, K = 7, C = 4;

    /// <summary>Runs every check on <paramref name="backend"/> and returns one row per (op, input).</summary>
    public static IReadOnlyList<OpGradientCheckRow> Run(IBackend<double> backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var rows = new List<OpGradientCheckRow>();
        void Add(string op, IEnumerable<(string Input, GradientCheckResult Result)> results) =>
            rows.AddRange(results.Select(r => new OpGradientCheckRow(op, r.Input, r.Result)));

        Add("Gemm (X·Wᵀ + b, ReLU epilogue)", Dense(backend));
        foreach (var activation in new[] { Activation.ReLU, Activation.LeakyReLU(0.1), Activation.Sigmoid, Activation.Tanh,
                     Activation.Elu(1.0), Activation.Gelu })
            Add($"Activation {activation}", ActivationCheck(backend, activation));
        Add("PReLU", PReLU(backend));
        Add("BatchNorm (training)", BatchNorm(backend, Activation.Identity));
        Add("BatchNorm + ReLU (training, fused)", BatchNorm(backend, Activation.ReLU));
        Add("LayerNorm", Norm(backend, groups: 0));
        Add("GroupNorm (3 groups)", Norm(backend, groups: 3));
        Add("Dropout (p 0.3, fixed mask)", Dropout(backend));
        Add("SoftmaxCrossEntropy (smoothing 0.1)", SoftmaxCrossEntropy(backend));
        Add("MseLoss", PointwiseLoss(backend, mse: true));
        Add("BinaryCrossEntropyWithLogits", PointwiseLoss(backend, mse: false));
        Add("ColumnSum", Reduction(backend));
        return rows;
    }

    private static double[] Data(int seed, int n, double lo = -1, double hi = 1)
    {
        var random = new Random(seed);
        var data = new double[n];
        // Kinks (ReLU at 0, max in Adamax…) are avoided by keeping every value at least 0.05 from 0.
        for (int i = 0; i < n; i++)
        {
            double v = lo + (hi - lo) * random.NextDouble();
            data[i] = Math.Abs(v) < 0.05 ? v + 0.1 * Math.Sign(v + 1e-300) : v;
        }
        return data;
    }

    private static IEnumerable<(string, GradientCheckResult)> Dense(IBackend<double> b)
    {
        using var z = b.Allocate<double>(N, F);
        using var dz = b.Allocate<double>(N, F);
        return new ScalarizedGradientCheck(b)
            .Input("x", Data(1, N * K), [N, K]).Input("w", Data(2, F * K), [F, K]).Input("b", Data(3, F), [F])
            .Run([N, F],
                (i, y) => b.Gemm(y, i[0], false, i[1], true, 1, 0, i[2], Activation.ReLU),
                (i, dy, g) =>
                {
                    b.Gemm(z, i[0], false, i[1], true, 1, 0, i[2], Activation.ReLU);
                    b.ActivationBackward(dz, dy, z, z, Activation.ReLU);
                    b.Gemm(g[0], dz, false, i[1], false, 1, 0);
                    b.Gemm(g[1], dz, true, i[0], false, 1, 0);
                    b.ColumnSum(g[2], dz);
                });
    }

    private static IEnumerable<(string, GradientCheckResult)> ActivationCheck(IBackend<double> b, Activation activation)
    {
        using var y = b.Allocate<double>(N, F);
        return new ScalarizedGradientCheck(b).Input("x", Data(4, N * F, -3, 3), [N, F])
            .Run([N, F], (i, o) => b.ActivationForward(o, i[0], activation),
                (i, dy, g) =>
                {
                    b.ActivationForward(y, i[0], activation);
                    b.ActivationBackward(g[0], dy, i[0], y, activation);
                });
    }

    private static IEnumerable<(string, GradientCheckResult)> PReLU(IBackend<double> b) =>
        new ScalarizedGradientCheck(b).Input("x", Data(5, N * F), [N, F]).Input("alpha", Data(6, F, 0.05, 0.5), [F])
            .Run([N, F], (i, o) => b.PReLUForward(o, i[0], i[1]), (i, dy, g) => b.PReLUBackward(g[0], g[1], dy, i[0], i[1]));

    /// <summary>Batch norm with the fused <paramref name="activation"/> (Identity or ReLU); the backward reruns the
    /// forward for the saved statistics and, with ReLU, the output that masks dy.</summary>
    private static IEnumerable<(string, GradientCheckResult)> BatchNorm(IBackend<double> b, Activation activation)
    {
        using var mean = b.Allocate<double>(F);
        using var invStd = b.Allocate<double>(F);
        using var runningMean = b.Allocate<double>(F);
        using var runningVar = b.Allocate<double>(F);
        using var output = b.Allocate<double>(N, F);
        return new ScalarizedGradientCheck(b)
            .Input("x", Data(7, N * F, -2, 2), [N, F]).Input("gamma", Data(8, F, 0.5, 1.5), [F]).Input("beta", Data(9, F), [F])
            .Run([N, F],
                (i, y) => b.BatchNormForwardTraining(y, mean, invStd, runningMean, runningVar, i[0], i[1], i[2], 0.1, 1e-5,
                    activation),
                (i, dy, g) =>
                {
                    b.BatchNormForwardTraining(output, mean, invStd, runningMean, runningVar, i[0], i[1], i[2], 0.1, 1e-5,
                        activation);
                    b.BatchNormBackward(g[0], g[1], g[2], dy, i[0], i[1], mean, invStd, output, activation);
                });
    }

    private static IEnumerable<(string, GradientCheckResult)> Norm(IBackend<double> b, int groups)
    {
        int stats = groups == 0 ? N : N * groups;
        using var mean = b.Allocate<double>(stats);
        using var invStd = b.Allocate<double>(stats);
        return new ScalarizedGradientCheck(b)
            .Input("x", Data(10, N * F, -2, 2), [N, F]).Input("gamma", Data(11, F, 0.5, 1.5), [F]).Input("beta", Data(12, F), [F])
            .Run([N, F],
                (i, y) =>
                {
                    if (groups == 0) b.LayerNormForward(y, mean, invStd, i[0], i[1], i[2], 1e-5);
                    else b.GroupNormForward(y, mean, invStd, i[0], i[1], i[2], groups, 1e-5);
                },
                (i, dy, g) =>
                {
                    if (groups == 0) b.LayerNormBackward(g[0], g[1], g[2], dy, i[0], i[1], mean, invStd);
                    else b.GroupNormBackward(g[0], g[1], g[2], dy, i[0], i[1], mean, invStd, groups);
                });
    }

    private static IEnumerable<(string, GradientCheckResult)> Dropout(IBackend<double> b) =>
        new ScalarizedGradientCheck(b).Input("x", Data(13, N * F), [N, F])
            .Run([N, F], (i, y) => b.DropoutForward(y, i[0], 0.3, seed: 42, offset: 7),
                (i, dy, g) => b.DropoutBackward(g[0], dy, 0.3, seed: 42, offset: 7));

    private static IEnumerable<(string, GradientCheckResult)> SoftmaxCrossEntropy(IBackend<double> b)
    {
        using var labels = b.FromArray(new[] { 0, 3, 1, 2, 3 }, N);
        return new ScalarizedGradientCheck(b).Input("logits", Data(14, N * C, -3, 3), [N, C])
            .Run([1], (i, loss) => b.SoftmaxCrossEntropy(loss, null, i[0], labels, 0.1),
                (i, dy, g) =>
                {
                    using var loss = b.Allocate<double>(1);
                    b.SoftmaxCrossEntropy(loss, g[0], i[0], labels, 0.1);
                    b.Scale(g[0], g[0], b.ToArray(dy)[0]);
                });
    }

    private static IEnumerable<(string, GradientCheckResult)> PointwiseLoss(IBackend<double> b, bool mse) =>
        new ScalarizedGradientCheck(b).Input("input", Data(15, N * F, -3, 3), [N, F])
            .Input("target", Data(16, N * F, 0, 1), [N, F], differentiable: false)
            .Run([1],
                (i, loss) =>
                {
                    if (mse) b.MseLoss(loss, null, i[0], i[1]);
                    else b.BinaryCrossEntropyWithLogits(loss, null, i[0], i[1]);
                },
                (i, dy, g) =>
                {
                    using var loss = b.Allocate<double>(1);
                    if (mse) b.MseLoss(loss, g[0], i[0], i[1]);
                    else b.BinaryCrossEntropyWithLogits(loss, g[0], i[0], i[1]);
                    b.Scale(g[0], g[0], b.ToArray(dy)[0]);
                });

    private static IEnumerable<(string, GradientCheckResult)> Reduction(IBackend<double> b) =>
        new ScalarizedGradientCheck(b).Input("x", Data(17, N * F), [N, F])
            .Run([F], (i, y) => b.ColumnSum(y, i[0]),
                (i, dy, g) =>
                {
                    // The adjoint of a column sum broadcasts dy to every row: a rank-1 GEMM with a column of ones.
                    using var ones = b.FromArray(Enumerable.Repeat(1.0, N).ToArray(), N, 1);
                    using var dyRow = dy.Reshape(1, F);
                    b.Gemm(g[0], ones, false, dyRow, false, 1, 0);
                });
}
