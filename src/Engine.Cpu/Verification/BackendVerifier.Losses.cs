namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    private static void Losses(VerificationHarness h)
    {
        foreach (var (rows, columns) in h.Sizes.Matrices)
        {
            if (rows == 0 || columns == 0) continue; // an empty batch is rejected (see the bad-argument rows)
            foreach (double smoothing in new[] { 0.0, 0.1 })
                foreach (bool gradient in new[] { true, false })
                {
                    var logits = h.Uniform(rows * columns, -8, 8);
                    if (rows > 1) logits[columns] = 90; // a logit where exp overflows without the max subtraction
                    var logitsTwin = h.Input("logits", logits, rows, columns);
                    var labels = h.Input("labels", h.Labels(rows, columns), rows);
                    var loss = h.Output("loss", h.Garbage(1), Reduction, 1);
                    var dLogits = gradient ? h.Output("dLogits", h.Garbage(rows * columns), Pointwise, rows, columns) : null;
                    h.Check("SoftmaxCrossEntropy", $"{rows}×{columns} smoothing {smoothing}{(gradient ? " with gradient" : "")}",
                        (b, s) => b.SoftmaxCrossEntropy(loss[s], dLogits?[s], logitsTwin[s], labels[s], smoothing));
                }
        }
        foreach (int n in h.Sizes.Lengths)
        {
            if (n == 0) continue;
            foreach (bool gradient in new[] { true, false })
            {
                string name = $"n={n}{(gradient ? " with gradient" : "")}";
                var prediction = h.Input("prediction", h.Uniform(n, -3, 3), n);
                var target = h.Input("target", h.Uniform(n, -3, 3), n);
                var loss = h.Output("loss", h.Garbage(1), Reduction, 1);
                var dPrediction = gradient ? h.Output("dPrediction", h.Garbage(n), Pointwise, n) : null;
                h.Check("MseLoss", name, (b, s) => b.MseLoss(loss[s], dPrediction?[s], prediction[s], target[s]));

                // Logits up to ±40 reach the saturated ends of log(1 + e^-|x|) and σ(x).
                var logits = h.Input("logits", h.Uniform(n, -40, 40), n);
                var probabilities = h.Input("target", h.Uniform(n, 0, 1), n);
                loss = h.Output("loss", h.Garbage(1), Reduction, 1);
                var dLogits = gradient ? h.Output("dLogits", h.Garbage(n), Pointwise, n) : null;
                h.Check("BinaryCrossEntropyWithLogits", name,
                    (b, s) => b.BinaryCrossEntropyWithLogits(loss[s], dLogits?[s], logits[s], probabilities[s]));
            }
        }
    }
}
