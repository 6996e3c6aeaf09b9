namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    /// <summary>
    /// A few wrong calls per family. Each must throw <see cref="ArgumentException"/> naming the op before anything is
    /// written: the outputs hold garbage that must survive (a launcher that validates after launching fails here).
    /// </summary>
    private static void BadArguments(VerificationHarness h)
    {
        TwinTensor<float> In(string name, params int[] shape) => h.Input(name, h.Uniform(shape.Aggregate(1, (a, d) => a * d)), shape);
        // A rejected call must leave every tensor as it was, outputs included, so outputs are declared like inputs.
        TwinTensor<float> Out(string name, params int[] shape) => In(name, shape);

        var y = Out("y", 7);
        h.Rejects("Fill", "tensor of another backend", (b, s) => b.Fill(y[Other(s)], 1));
        var x = In("x", 8);
        y = Out("y", 7);
        h.Rejects("Copy", "y shorter than x", (b, s) => b.Copy(y[s], x[s]));
        x = In("x", 9);
        y = Out("y", 9);
        h.Rejects("Scale", "α = NaN", (b, s) => b.Scale(y[s], x[s], double.NaN));
        var whole = Out("buffer", 20);
        h.Rejects("Axpy", "y partly overlaps x", (b, s) => b.Axpy(whole[s].View(0, 10), whole[s].View(5, 10), 2));
        x = In("x", 9);
        y = Out("result", 2);
        h.Rejects("SquaredNorm", "result of 2 elements", (b, s) => b.SquaredNorm(y[s], x[s]));
        x = In("x", 4, 6);
        y = Out("y", 4);
        h.Rejects("ColumnSum", "y of rows instead of columns", (b, s) => b.ColumnSum(y[s], x[s]));
        x = In("x", 24);
        y = Out("y", 4);
        h.Rejects("RowSum", "x not a matrix", (b, s) => b.RowSum(y[s], x[s]));
        x = In("x", 5, 3);
        y = Out("y", 2, 4);
        var indices = h.Input("indices", [0, 1], 2);
        h.Rejects("GatherRows", "y with other columns", (b, s) => b.GatherRows(y[s], x[s], indices[s]));
        x = In("logits", 3, 0);
        var correct = h.Input("correct", [0], 1);
        var labels = h.Input("labels", [0, 0, 0], 3);
        h.Rejects("ArgMaxCountCorrect", "no classes", (b, s) => b.ArgMaxCountCorrect(correct[s], x[s], labels[s]));

        var a = In("a", 4, 5);
        var bMatrix = In("b", 6, 3);
        var c = Out("c", 4, 3);
        h.Rejects("Gemm", "inner dimensions 5 and 6", (b, s) => b.Gemm(c[s], a[s], false, bMatrix[s], false, 1, 0));
        a = In("a", 4, 5);
        bMatrix = In("b", 5, 3);
        c = Out("c", 4, 3);
        var bias = In("bias", 4);
        h.Rejects("Gemm", "bias of M instead of N", (b, s) => b.Gemm(c[s], a[s], false, bMatrix[s], false, 1, 0, bias[s]));
        a = In("a", 4, 5);
        bMatrix = In("b", 5, 3);
        c = Out("c", 4, 3);
        h.Rejects("Gemm", "β = ∞", (b, s) => b.Gemm(c[s], a[s], false, bMatrix[s], false, 1, double.PositiveInfinity));
        x = In("x", 6);
        y = Out("y", 6);
        h.Rejects("ActivationForward", "ELU with α = -1", (b, s) => b.ActivationForward(y[s], x[s], Activation.Elu(-1)));
        x = In("x", 6);
        var yIn = In("y", 6);
        var dy = In("dy", 6);
        var dx = Out("dx", 5);
        h.Rejects("ActivationBackward", "dx shorter than dy", (b, s) => b.ActivationBackward(dx[s], dy[s], x[s], yIn[s], Activation.Tanh));
        x = In("x", 3, 4);
        y = Out("y", 3, 4);
        var alpha = In("alpha", 3);
        h.Rejects("PReLUForward", "α per row instead of per column", (b, s) => b.PReLUForward(y[s], x[s], alpha[s]));
        x = In("x", 3, 4);
        dy = In("dy", 4, 3);
        dx = Out("dx", 3, 4);
        var dAlpha = Out("dAlpha", 4);
        alpha = In("alpha", 4);
        h.Rejects("PReLUBackward", "dy transposed", (b, s) => b.PReLUBackward(dx[s], dAlpha[s], dy[s], x[s], alpha[s]));
        x = In("x", 3, 4);
        y = Out("y", 4, 3);
        h.Rejects("SoftmaxForward", "y transposed", (b, s) => b.SoftmaxForward(y[s], x[s]));

        NormalizationBadArguments(h, In, Out);
        StochasticAndLossBadArguments(h, In, Out);
        OptimizerBadArguments(h, In, Out);
    }

    private static Side Other(Side side) => side == Side.Actual ? Side.Reference : Side.Actual;

    private static void NormalizationBadArguments(VerificationHarness h, Func<string, int[], TwinTensor<float>> In,
        Func<string, int[], TwinTensor<float>> Out)
    {
        var x = In("x", [1, 4]);
        var y = Out("y", [1, 4]);
        var v = Enumerable.Range(0, 6).Select(i => Out("stat" + i, [4])).ToArray();
        h.Rejects("BatchNormForwardTraining", "one row per feature", (b, s) =>
            b.BatchNormForwardTraining(y[s], v[0][s], v[1][s], v[2][s], v[3][s], x[s], v[4][s], v[5][s], 0.1, 1e-5));
        x = In("x", [3, 4]);
        y = Out("y", [3, 4]);
        v = Enumerable.Range(0, 6).Select(i => Out("stat" + i, [4])).ToArray();
        h.Rejects("BatchNormForwardTraining", "momentum 1.5", (b, s) =>
            b.BatchNormForwardTraining(y[s], v[0][s], v[1][s], v[2][s], v[3][s], x[s], v[4][s], v[5][s], 1.5, 1e-5));
        x = In("x", [3, 4]);
        y = Out("y", [3, 4]);
        v = Enumerable.Range(0, 4).Select(i => In("stat" + i, [4])).ToArray();
        h.Rejects("BatchNormForwardInference", "eps = 0", (b, s) =>
            b.BatchNormForwardInference(y[s], x[s], v[0][s], v[1][s], v[2][s], v[3][s], 0));
        x = In("x", [3, 4]);
        var dy = In("dy", [3, 4]);
        var dx = Out("dx", [3, 4]);
        v = Enumerable.Range(0, 5).Select(i => Out("stat" + i, [5])).ToArray();
        h.Rejects("BatchNormBackward", "statistics of 5 features for 4", (b, s) =>
            b.BatchNormBackward(dx[s], v[0][s], v[1][s], dy[s], x[s], v[2][s], v[3][s], v[4][s]));
        x = In("x", [3, 4]);
        y = Out("y", [3, 4]);
        v = Enumerable.Range(0, 4).Select(i => Out("stat" + i, [i < 2 ? 4 : 3])).ToArray();
        h.Rejects("LayerNormForward", "eps = -1", (b, s) => b.LayerNormForward(y[s], v[2][s], v[3][s], x[s], v[0][s], v[1][s], -1));
        x = In("x", [3, 4]);
        dy = In("dy", [3, 4]);
        dx = Out("dx", [3, 4]);
        v = Enumerable.Range(0, 5).Select(i => Out("stat" + i, [4])).ToArray();
        h.Rejects("LayerNormBackward", "statistics per feature instead of per row", (b, s) =>
            b.LayerNormBackward(dx[s], v[0][s], v[1][s], dy[s], x[s], v[2][s], v[3][s], v[4][s]));
        x = In("x", [3, 6]);
        y = Out("y", [3, 6]);
        v = Enumerable.Range(0, 4).Select(i => Out("stat" + i, [i < 2 ? 6 : 12])).ToArray();
        h.Rejects("GroupNormForward", "4 groups of 6 features", (b, s) =>
            b.GroupNormForward(y[s], v[2][s], v[3][s], x[s], v[0][s], v[1][s], 4, 1e-5));
        x = In("x", [3, 6]);
        dy = In("dy", [3, 6]);
        dx = Out("dx", [3, 6]);
        v = Enumerable.Range(0, 5).Select(i => Out("stat" + i, [6])).ToArray();
        h.Rejects("GroupNormBackward", "0 groups", (b, s) =>
            b.GroupNormBackward(dx[s], v[0][s], v[1][s], dy[s], x[s], v[2][s], v[3][s], v[4][s], 0));
    }

    private static void StochasticAndLossBadArguments(VerificationHarness h, Func<string, int[], TwinTensor<float>> In,
        Func<string, int[], TwinTensor<float>> Out)
    {
        var x = In("x", [10]);
        var y = Out("y", [10]);
        h.Rejects("DropoutForward", "p = 1", (b, s) => b.DropoutForward(y[s], x[s], 1, 1, 0));
        x = In("dy", [10]);
        y = Out("dx", [9]);
        h.Rejects("DropoutBackward", "dx shorter than dy", (b, s) => b.DropoutBackward(y[s], x[s], 0.5, 1, 0));
        x = In("w", [10]);
        y = Out("wMasked", [10]);
        h.Rejects("DropConnectMask", "p = -0.1", (b, s) => b.DropConnectMask(y[s], x[s], -0.1, 1, 0));
        x = In("x", [10]);
        y = Out("y", [10]);
        h.Rejects("AddGaussianNoise", "σ = -1", (b, s) => b.AddGaussianNoise(y[s], x[s], -1, 1, 0));

        var logits = In("logits", [3, 4]);
        var loss = Out("loss", [1]);
        var dLogits = Out("dLogits", [3, 4]);
        var labels = h.Input("labels", [0, 1, 2], 3);
        h.Rejects("SoftmaxCrossEntropy", "label smoothing 2", (b, s) => b.SoftmaxCrossEntropy(loss[s], dLogits[s], logits[s], labels[s], 2));
        logits = In("logits", [0, 4]);
        loss = Out("loss", [1]);
        labels = h.Input("labels", Array.Empty<int>(), 0);
        h.Rejects("SoftmaxCrossEntropy", "empty batch", (b, s) => b.SoftmaxCrossEntropy(loss[s], null, logits[s], labels[s]));
        var prediction = In("prediction", [2, 3]);
        var target = In("target", [3, 2]);
        loss = Out("loss", [1]);
        h.Rejects("MseLoss", "target transposed", (b, s) => b.MseLoss(loss[s], null, prediction[s], target[s]));
        prediction = In("logits", [5]);
        target = In("target", [5]);
        loss = Out("loss", [1]);
        var gradient = Out("dLogits", [4]);
        h.Rejects("BinaryCrossEntropyWithLogits", "dLogits shorter than logits", (b, s) =>
            b.BinaryCrossEntropyWithLogits(loss[s], gradient[s], prediction[s], target[s]));
    }

    private static void OptimizerBadArguments(VerificationHarness h, Func<string, int[], TwinTensor<float>> In,
        Func<string, int[], TwinTensor<float>> Out)
    {
        var step = new UpdateStep(0.1, 1);
        var w = Out("parameters", [8]);
        var g = In("gradients", [8]);
        h.Rejects("SgdUpdate", "Nesterov without momentum", (b, s) => b.SgdUpdate(w[s], g[s], null, new SgdSettings(Nesterov: true), step));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        h.Rejects("SgdUpdate", "momentum without a buffer", (b, s) => b.SgdUpdate(w[s], g[s], null, new SgdSettings(Momentum: 0.9), step));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        var s1 = Out("sum", [8]);
        h.Rejects("AdagradUpdate", "step 0", (b, s) => b.AdagradUpdate(w[s], g[s], s1[s], new AdagradSettings(), step with { Step = 0 }));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        s1 = Out("squareAvg", [8]);
        var s2 = Out("accDelta", [7]);
        h.Rejects("AdadeltaUpdate", "accDelta too short", (b, s) => b.AdadeltaUpdate(w[s], g[s], s1[s], s2[s], new AdadeltaSettings(), step));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        s1 = Out("squareAvg", [8]);
        h.Rejects("RmsPropUpdate", "centered without gradAvg", (b, s) =>
            b.RmsPropUpdate(w[s], g[s], s1[s], null, null, new RmsPropSettings(Centered: true), step));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        s1 = Out("expAvg", [8]);
        s2 = Out("expAvgSq", [8]);
        h.Rejects("AdamUpdate", "β₁ = 1", (b, s) => b.AdamUpdate(w[s], g[s], s1[s], s2[s], null, new AdamSettings(Beta1: 1), step));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        s1 = Out("expAvg", [8]);
        s2 = Out("expAvgSq", [8]);
        h.Rejects("AdamUpdate", "AMSGrad without maxExpAvgSq", (b, s) =>
            b.AdamUpdate(w[s], g[s], s1[s], s2[s], null, new AdamSettings(Amsgrad: true), step));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        s1 = Out("expAvg", [8]);
        s2 = Out("expInf", [8]);
        h.Rejects("AdamaxUpdate", "negative learning rate", (b, s) =>
            b.AdamaxUpdate(w[s], g[s], s1[s], s2[s], new AdamaxSettings(), step with { LearningRate = -0.1 }));
        w = Out("parameters", [8]);
        g = In("gradients", [8]);
        s1 = Out("expAvg", [8]);
        s2 = Out("expAvgSq", [8]);
        h.Rejects("NadamUpdate", "muProduct 2", (b, s) => b.NadamUpdate(w[s], g[s], s1[s], s2[s], new NadamSettings(), step, 2));
    }
}
