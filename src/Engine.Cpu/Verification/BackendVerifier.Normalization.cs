namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    private const double Momentum = 0.1, Eps = 1e-5;

    private static void Normalization(VerificationHarness h)
    {
        foreach (var (rows, columns) in h.Sizes.Matrices)
        {
            string shape = $"{rows}×{columns}";
            // An offset mean (3) and a spread (2) make a one-pass variance lose digits, which the reference does not.
            var x = h.Uniform(rows * columns, 1, 5);
            var gamma = h.Uniform(columns, 0.5, 1.5);
            var beta = h.Uniform(columns);
            var dy = h.Uniform(rows * columns);
            if (rows >= 2) BatchNormCases(h, shape, rows, columns, x, gamma, beta, dy);

            var runningMean = h.Uniform(columns);
            var runningVar = h.Uniform(columns, 0.5, 2);
            foreach (var activation in new[] { Activation.Identity, Activation.ReLU })
            {
                var xTwin = h.Input("x", x, rows, columns);
                var gammaTwin = h.Input("gamma", gamma, columns);
                var betaTwin = h.Input("beta", beta, columns);
                var meanTwin = h.Input("runningMean", runningMean, columns);
                var varTwin = h.Input("runningVar", runningVar, columns);
                var y = h.Output("y", h.Garbage(rows * columns), Reduction, rows, columns);
                h.Check("BatchNormForwardInference", activation.Kind == ActivationKind.ReLU ? $"{shape} ReLU" : shape,
                    (b, s) => b.BatchNormForwardInference(y[s], xTwin[s], gammaTwin[s], betaTwin[s], meanTwin[s], varTwin[s], Eps,
                        activation));
            }

            if (columns == 0) continue;
            GroupCases(h, shape, rows, columns, groups: 0, x, gamma, beta, dy);
            foreach (int groups in GroupCounts(columns)) GroupCases(h, shape, rows, columns, groups, x, gamma, beta, dy);
        }
    }

    /// <summary>The divisor of <paramref name="features"/> nearest its square root, and one group per feature.</summary>
    private static IEnumerable<int> GroupCounts(int features)
    {
        int nearRoot = Enumerable.Range(1, features).Where(g => features % g == 0)
            .MinBy(g => Math.Abs(g - Math.Sqrt(features)));
        return nearRoot == features ? [features] : [nearRoot, features];
    }

    /// <summary>Plain batch norm, then with the fused ReLU.</summary>
    private static void BatchNormCases(VerificationHarness h, string shape, int rows, int columns, float[] x,
        float[] gamma, float[] beta, float[] dy)
    {
        BatchNormCases(h, shape, rows, columns, x, gamma, beta, dy, Activation.Identity);
        BatchNormCases(h, shape + " ReLU", rows, columns, x, gamma, beta, dy, Activation.ReLU);
    }

    private static void BatchNormCases(VerificationHarness h, string shape, int rows, int columns, float[] x,
        float[] gamma, float[] beta, float[] dy, Activation activation)
    {
        var xTwin = h.Input("x", x, rows, columns);
        var gammaTwin = h.Input("gamma", gamma, columns);
        var betaTwin = h.Input("beta", beta, columns);
        var y = h.Output("y", h.Garbage(rows * columns), Reduction, rows, columns);
        var savedMean = h.Output("savedMean", h.Garbage(columns), Reduction, columns);
        var savedInvStd = h.Output("savedInvStd", h.Garbage(columns), Reduction, columns);
        var runningMean = h.Output("runningMean", h.Uniform(columns), Reduction, columns);
        var runningVar = h.Output("runningVar", h.Uniform(columns, 0.5, 2), Reduction, columns);
        h.Check("BatchNormForwardTraining", $"{shape} momentum {Momentum}", (b, s) => b.BatchNormForwardTraining(y[s],
            savedMean[s], savedInvStd[s], runningMean[s], runningVar[s], xTwin[s], gammaTwin[s], betaTwin[s], Momentum, Eps,
            activation));

        // Backward starts from the reference's statistics (and, with the ReLU, its output as the mask) on both backends.
        using var statistics = ReferenceBatchNormStatistics(h, x, rows, columns, activation);
        var outputTwin = h.Input("y", h.Reference.ToArray(statistics.Output), rows, columns);
        xTwin = h.Input("x", x, rows, columns);
        gammaTwin = h.Input("gamma", gamma, columns);
        var meanTwin = h.Input("savedMean", h.Reference.ToArray(statistics.Mean), columns);
        var invStdTwin = h.Input("savedInvStd", h.Reference.ToArray(statistics.InvStd), columns);
        var dyTwin = h.Input("dy", dy, rows, columns);
        var dx = h.Output("dx", h.Garbage(rows * columns), Reduction, rows, columns);
        var dGamma = h.Output("dGamma", h.Garbage(columns), Reduction, columns);
        var dBeta = h.Output("dBeta", h.Garbage(columns), Reduction, columns);
        h.Check("BatchNormBackward", shape, (b, s) =>
            b.BatchNormBackward(dx[s], dGamma[s], dBeta[s], dyTwin[s], xTwin[s], gammaTwin[s], meanTwin[s], invStdTwin[s],
                outputTwin[s], activation));
    }

    private static Statistics ReferenceBatchNormStatistics(VerificationHarness h, float[] x, int rows, int columns,
        Activation activation)
    {
        var r = h.Reference;
        var statistics = new Statistics(r.Allocate<float>(columns), r.Allocate<float>(columns), r.Allocate<float>(rows, columns));
        using var xTensor = r.FromArray(x, rows, columns);
        using var ones = r.FromArray(Enumerable.Repeat(1f, columns).ToArray());
        using var zeros = r.Allocate<float>(columns);
        using var runningMean = r.Allocate<float>(columns);
        using var runningVar = r.Allocate<float>(columns);
        r.BatchNormForwardTraining(statistics.Output, statistics.Mean, statistics.InvStd, runningMean, runningVar, xTensor, ones,
            zeros, Momentum, Eps, activation);
        return statistics;
    }

    /// <summary>Layer norm (<paramref name="groups"/> = 0) or group norm, forward and backward.</summary>
    private static void GroupCases(VerificationHarness h, string shape, int rows, int columns, int groups, float[] x,
        float[] gamma, float[] beta, float[] dy)
    {
        int statisticsLength = rows * Math.Max(groups, 1);
        string forwardOp = groups == 0 ? "LayerNormForward" : "GroupNormForward";
        string backwardOp = groups == 0 ? "LayerNormBackward" : "GroupNormBackward";
        string name = groups == 0 ? shape : $"{shape} {groups} groups";

        var xTwin = h.Input("x", x, rows, columns);
        var gammaTwin = h.Input("gamma", gamma, columns);
        var betaTwin = h.Input("beta", beta, columns);
        var y = h.Output("y", h.Garbage(rows * columns), Reduction, rows, columns);
        var savedMean = h.Output("savedMean", h.Garbage(statisticsLength), Reduction, statisticsLength);
        var savedInvStd = h.Output("savedInvStd", h.Garbage(statisticsLength), Reduction, statisticsLength);
        h.Check(forwardOp, name, (b, s) => NormForward(b, y[s], savedMean[s], savedInvStd[s], xTwin[s], gammaTwin[s], betaTwin[s], groups));

        using var mean = h.Reference.Allocate<float>(statisticsLength);
        using var invStd = h.Reference.Allocate<float>(statisticsLength);
        using (var xTensor = h.Reference.FromArray(x, rows, columns))
        using (var yTensor = h.Reference.Allocate<float>(rows, columns))
        using (var gammaTensor = h.Reference.FromArray(gamma))
        using (var betaTensor = h.Reference.FromArray(beta))
            NormForward(h.Reference, yTensor, mean, invStd, xTensor, gammaTensor, betaTensor, groups);

        xTwin = h.Input("x", x, rows, columns);
        gammaTwin = h.Input("gamma", gamma, columns);
        var meanTwin = h.Input("savedMean", h.Reference.ToArray(mean), statisticsLength);
        var invStdTwin = h.Input("savedInvStd", h.Reference.ToArray(invStd), statisticsLength);
        var dyTwin = h.Input("dy", dy, rows, columns);
        var dx = h.Output("dx", h.Garbage(rows * columns), Reduction, rows, columns);
        var dGamma = h.Output("dGamma", h.Garbage(columns), Reduction, columns);
        var dBeta = h.Output("dBeta", h.Garbage(columns), Reduction, columns);
        h.Check(backwardOp, name, (b, s) =>
        {
            if (groups == 0) b.LayerNormBackward(dx[s], dGamma[s], dBeta[s], dyTwin[s], xTwin[s], gammaTwin[s], meanTwin[s], invStdTwin[s]);
            else b.GroupNormBackward(dx[s], dGamma[s], dBeta[s], dyTwin[s], xTwin[s], gammaTwin[s], meanTwin[s], invStdTwin[s], groups);
        });
    }

    private static void NormForward(IBackend<float> b, Tensor<float> y, Tensor<float> mean, Tensor<float> invStd,
        Tensor<float> x, Tensor<float> gamma, Tensor<float> beta, int groups)
    {
        if (groups == 0) b.LayerNormForward(y, mean, invStd, x, gamma, beta, Eps);
        else b.GroupNormForward(y, mean, invStd, x, gamma, beta, groups, Eps);
    }

    /// <summary>The reference's saved statistics and its output (with γ = 1, β = 0 and the case's activation).</summary>
    private sealed record Statistics(Tensor<float> Mean, Tensor<float> InvStd, Tensor<float> Output) : IDisposable
    {
        public void Dispose()
        {
            Mean.Dispose();
            InvStd.Dispose();
            Output.Dispose();
        }
    }
}
