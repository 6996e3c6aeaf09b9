namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    /// <summary>Every activation the backends implement, with non-default parameters where there are any.</summary>
    private static readonly Activation[] AllActivations =
    [
        Activation.Identity, Activation.ReLU, Activation.LeakyReLU(0.1), Activation.Sigmoid, Activation.Tanh,
        Activation.Elu(0.7), Activation.Gelu,
    ];

    /// <summary>Zeros, denormals, values where exp and tanh saturate, infinities and NaN.</summary>
    private static readonly float[] ExtremeValues =
    [
        0f, -0f, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 0.5f, -0.5f, 5f, -5f, 20f, -20f, 88f, -88f, 104f, -104f, 1e30f, -1e30f,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    private static void Gemm(VerificationHarness h)
    {
        var shapes = h.Sizes.GemmShapes;
        for (int i = 0; i < shapes.Length; i++)
        {
            var (m, n, k) = shapes[i];
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                // β = 0 must not read C (it starts as NaN); β ≠ 0 with a bias; and every activation as an epilogue in turn.
                GemmCase(h, m, n, k, ta, tb, 1, 0, bias: false, Activation.Identity, nanC: true);
                GemmCase(h, m, n, k, ta, tb, 0.75, -1.5, bias: true, Activation.Identity);
                var epilogue = AllActivations[1 + (4 * i + (ta ? 2 : 0) + (tb ? 1 : 0)) % (AllActivations.Length - 1)];
                GemmCase(h, m, n, k, ta, tb, -1.25, 0.5, bias: true, epilogue);
            }
        }
        int large = h.Sizes.LargeGemm;
        foreach (var (ta, tb) in h.Sizes.LargeGemmEveryVariant ? new[] { (false, false), (false, true), (true, false), (true, true) } : [(false, true)])
            GemmCase(h, large, large, large, ta, tb, 1, 0.5, bias: true, Activation.ReLU);
    }

    private static void GemmCase(VerificationHarness h, int m, int n, int k, bool transposeA, bool transposeB,
        double alpha, double beta, bool bias, Activation epilogue, bool nanC = false)
    {
        var a = h.Input("a", h.Uniform(m * k), transposeA ? [k, m] : [m, k]);
        var b = h.Input("b", h.Uniform(k * n), transposeB ? [n, k] : [k, n]);
        var biasTwin = bias ? h.Input("bias", h.Uniform(n), n) : null;
        var c = h.Output("c", nanC ? Enumerable.Repeat(float.NaN, m * n).ToArray() : h.Uniform(m * n),
            VerificationTolerance.Gemm(k), m, n);
        string name = $"{m}×{n}×{k} {(transposeA ? "Aᵀ" : "A")}·{(transposeB ? "Bᵀ" : "B")} α={alpha} β={beta}" +
                      (nanC ? " C=NaN" : "") + (bias ? " +bias" : "") + (epilogue == Activation.Identity ? "" : $" {epilogue}");
        h.Check("Gemm", name, (backend, s) =>
            backend.Gemm(c[s], a[s], transposeA, b[s], transposeB, alpha, beta, biasTwin?[s], epilogue));
    }

    private static void Activations(VerificationHarness h)
    {
        foreach (var activation in AllActivations)
        {
            foreach (int n in h.Sizes.Lengths) ActivationCase(h, activation, h.Uniform(n, -6, 6), $"n={n}");
            ActivationCase(h, activation, ExtremeValues, "extreme values");

            var inPlace = h.Output("y", h.Uniform(77, -6, 6), Pointwise, 77);
            h.Check("ActivationForward", $"{activation} n=77 in place", (b, s) => b.ActivationForward(inPlace[s], inPlace[s], activation));
        }
        foreach (var (rows, columns) in h.Sizes.Matrices)
        {
            string shape = $"{rows}×{columns}";
            var x = h.Uniform(rows * columns, -3, 3).Select((v, i) => i % 5 == 0 ? 0f : v).ToArray(); // x = 0 is the kink
            var alpha = h.Uniform(columns, 0, 0.5);
            var xTwin = h.Input("x", x, rows, columns);
            var alphaTwin = h.Input("alpha", alpha, columns);
            var y = h.Output("y", h.Garbage(rows * columns), Pointwise, rows, columns);
            h.Check("PReLUForward", shape, (b, s) => b.PReLUForward(y[s], xTwin[s], alphaTwin[s]));

            xTwin = h.Input("x", x, rows, columns);
            alphaTwin = h.Input("alpha", alpha, columns);
            var dy = h.Input("dy", h.Uniform(rows * columns), rows, columns);
            var dx = h.Output("dx", h.Garbage(rows * columns), Pointwise, rows, columns);
            var dAlpha = h.Output("dAlpha", h.Garbage(columns), Reduction, columns);
            h.Check("PReLUBackward", shape, (b, s) => b.PReLUBackward(dx[s], dAlpha[s], dy[s], xTwin[s], alphaTwin[s]));

            // Large logits in the first row check the max subtraction.
            var logits = h.Uniform(rows * columns, -10, 10);
            for (int c = 0; c < Math.Min(columns, rows * columns); c++) logits[c] += 80;
            xTwin = h.Input("x", logits, rows, columns);
            y = h.Output("y", h.Garbage(rows * columns), Pointwise, rows, columns);
            h.Check("SoftmaxForward", shape, (b, s) => b.SoftmaxForward(y[s], xTwin[s]));
        }
    }

    private static void ActivationCase(VerificationHarness h, Activation activation, float[] x, string size)
    {
        int n = x.Length;
        var xTwin = h.Input("x", x, n);
        var y = h.Output("y", h.Garbage(n), Pointwise, n);
        h.Check("ActivationForward", $"{activation} {size}", (b, s) => b.ActivationForward(y[s], xTwin[s], activation));

        // Backward takes y = act(x) as given; both backends get the reference's y, so only the backward op is compared.
        var yValues = ReferenceForward(h, activation, x);
        xTwin = h.Input("x", x, n);
        var yTwin = h.Input("y", yValues, n);
        var dy = h.Input("dy", h.Uniform(n, -2, 2), n);
        var dx = h.Output("dx", h.Garbage(n), Pointwise, n);
        h.Check("ActivationBackward", $"{activation} {size}", (b, s) => b.ActivationBackward(dx[s], dy[s], xTwin[s], yTwin[s], activation));
    }

    private static float[] ReferenceForward(VerificationHarness h, Activation activation, float[] x)
    {
        using var xTensor = h.Reference.FromArray(x);
        using var y = h.Reference.Allocate<float>(x.Length);
        h.Reference.ActivationForward(y, xTensor, activation);
        return h.Reference.ToArray(y);
    }
}
