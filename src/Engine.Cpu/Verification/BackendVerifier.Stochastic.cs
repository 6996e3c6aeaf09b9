namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    /// <summary>Offsets past 2³² check that the whole 64-bit offset reaches the Philox counter.</summary>
    private static readonly (ulong Seed, ulong Offset)[] Streams = [(42, 0), (0xDEADBEEFCAFEF00D, (1UL << 33) + 12345)];

    private static void Stochastic(VerificationHarness h)
    {
        foreach (int n in h.Sizes.Lengths)
        {
            var x = WithSpecialValues(h.Uniform(n, -4, 4));
            for (int stream = 0; stream < Streams.Length; stream++)
            {
                var (seed, offset) = Streams[stream];
                string name = $"n={n} stream {stream}";
                foreach (double p in new[] { 0.0, 0.3 })
                {
                    var xTwin = h.Input("x", x, n);
                    var y = h.Output("y", h.Garbage(n), Exact, n);
                    h.Check("DropoutForward", $"{name} p={p}", (b, s) => b.DropoutForward(y[s], xTwin[s], p, seed, offset));
                }

                var dy = h.Input("dy", x, n);
                var dx = h.Output("dx", h.Garbage(n), Exact, n);
                h.Check("DropoutBackward", $"{name} p=0.5", (b, s) => b.DropoutBackward(dx[s], dy[s], 0.5, seed, offset));

                var w = h.Input("w", x, n);
                var wMasked = h.Output("wMasked", h.Garbage(n), Exact, n);
                h.Check("DropConnectMask", $"{name} p=0.25", (b, s) => b.DropConnectMask(wMasked[s], w[s], 0.25, seed, offset));

                var noiseInput = h.Input("x", x, n);
                var noisy = h.Output("y", h.Garbage(n), Exact, n);
                h.Check("AddGaussianNoise", $"{name} σ=0.7", (b, s) => b.AddGaussianNoise(noisy[s], noiseInput[s], 0.7, seed, offset));
            }
            var inPlace = h.Output("y", x, Exact, n);
            h.Check("DropoutForward", $"n={n} p=0.6 in place", (b, s) => b.DropoutForward(inPlace[s], inPlace[s], 0.6, 7, 3));
        }
    }

    /// <summary>A dropped NaN or ∞ becomes +0 and a kept one is scaled: every backend must agree on both.</summary>
    private static float[] WithSpecialValues(float[] x)
    {
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 1e30f, -1e-30f];
        for (int i = 0; i < x.Length; i += 41) x[i] = special[i / 41 % special.Length];
        return x;
    }
}
