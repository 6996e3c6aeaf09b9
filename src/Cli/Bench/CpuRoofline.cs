using System.Numerics;
using CudaNet.Cpu;

namespace CudaNet.Cli.Bench;

/// <summary>
/// The CPU rows of <c>cudanet bench</c> (issue "CPU performance"): GEMM against OpenBLAS at the same thread count,
/// GEMM at the MLP's shapes with the fused bias+ReLU epilogue against OpenBLAS plus a separate bias/ReLU pass,
/// and memory-bound ops on 16M floats against <see cref="Span{T}.CopyTo(Span{T})"/> of the same byte count.
/// Byte and FLOP counts are each kernel's napkin math.
/// </summary>
internal sealed class CpuRoofline(int threads, bool quick, RowFilter filter)
{
    private const int Elements = 1 << 24;

    public List<BenchRow> Run(Action<BenchRow>? progress = null)
    {
        var rows = new List<BenchRow>();
        void Add(BenchRow row)
        {
            rows.Add(row);
            progress?.Invoke(row);
        }
        using var cpu = new CpuBackend<float>(maxThreads: threads);
        var blas = OpenBlas.TryLoad(out string blasReason);
        blas?.SetThreads(threads);
        string blasName = blas is null ? $"OpenBLAS ({blasReason})" : $"OpenBLAS sgemm, {threads} threads";

        foreach (int size in quick ? new[] { 1024 } : new[] { 1024, 2048 })
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
                if (filter.Includes(BenchRow.GemmOp(ta, tb, epilogue: false)))
                    Add(Gemm(cpu, blas, blasName, size, size, size, ta, tb, withEpilogue: false, target: 0.70));
        // The MLP's forward shapes (Y = X·Wᵀ + b, ReLU) and backward shapes (dX = dY·W, dW = dYᵀ·X), batch 128.
        foreach (var (m, n, k, ta, tb, epilogue) in new[]
                 {
                     (128, 512, 784, false, true, true), (128, 512, 512, false, true, true), (128, 10, 512, false, true, false),
                     (128, 784, 512, false, false, false), (512, 784, 128, true, false, false), (128, 512, 512, false, false, false),
                     (512, 512, 128, true, false, false),
                 })
            if (filter.Includes(BenchRow.GemmOp(ta, tb, epilogue)))
                Add(Gemm(cpu, blas, blas is null ? blasName : blasName + (epilogue ? " + bias/ReLU pass" : ""), m, n, k, ta, tb, epilogue, 0.90));

        foreach (var row in MemoryBound(cpu)) Add(row);
        return rows;
    }

    private static BenchRow Gemm(CpuBackend<float> cpu, OpenBlas? blas, string reference, int m, int n, int k, bool ta, bool tb,
        bool withEpilogue, double target)
    {
        var a = Random(1, m * k);
        var b = Random(2, k * n);
        var bias = Random(3, n);
        using var ta_ = cpu.FromArray(a, ta ? k : m, ta ? m : k);
        using var tb_ = cpu.FromArray(b, tb ? n : k, tb ? k : n);
        using var tbias = cpu.FromArray(bias, n);
        using var tc = cpu.Allocate<float>(m, n);
        var epilogue = withEpilogue ? Activation.ReLU : Activation.Identity;
        var c = new float[m * n];
        Action? openBlas = blas is null ? null : () =>
        {
            blas.Sgemm(ta, tb, m, n, k, 1, a, b, 0, c);
            if (withEpilogue) BiasRelu(c, bias);
        };
        var (ours, blasSeconds) = Timing.Paired(() => cpu.Gemm(tc, ta_, ta, tb_, tb, 1, 0, withEpilogue ? tbias : null, epilogue), openBlas);
        double? theirs = blas is null ? null : blasSeconds;
        double flops = 2.0 * m * n * k;
        return new BenchRow(BenchRow.GemmOp(ta, tb, withEpilogue), $"{m}x{n}x{k}", "GFLOP/s", ours, flops / ours / 1e9, reference,
            theirs is null ? null : flops / theirs.Value / 1e9, target);
    }

    /// <summary>The reference's separate epilogue: one vectorised pass adding the bias and clamping at 0.</summary>
    private static void BiasRelu(Span<float> c, ReadOnlySpan<float> bias)
    {
        int n = bias.Length;
        for (int row = 0; row < c.Length; row += n)
        {
            var r = c.Slice(row, n);
            int j = 0;
            for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
                Vector.Max(new Vector<float>(r[j..]) + new Vector<float>(bias[j..]), Vector<float>.Zero).CopyTo(r[j..]);
            for (; j < n; j++) r[j] = Math.Max(r[j] + bias[j], 0);
        }
    }

    private IEnumerable<BenchRow> MemoryBound(CpuBackend<float> cpu)
    {
        var data = Random(4, Elements);
        using var x = cpu.FromArray(data);
        using var y = cpu.Allocate<float>(Elements);
        using var g = cpu.FromArray(Random(5, Elements));
        using var m = cpu.Allocate<float>(Elements);
        using var v = cpu.Allocate<float>(Elements);
        const int features = 1024, rows = Elements / features;
        using var x2 = x.Reshape(rows, features);
        using var y2 = y.Reshape(rows, features);
        using var g2 = g.Reshape(rows, features);
        using var gamma = cpu.FromArray(Enumerable.Repeat(1f, features).ToArray());
        using var beta = cpu.Allocate<float>(features);
        using var stats = cpu.Allocate<float>(4, features);
        using var dGamma = cpu.Allocate<float>(features);
        using var dBeta = cpu.Allocate<float>(features);
        var (mean, invStd, runMean, runVar) = (stats.View(0, features), stats.View(features, features),
            stats.View(2 * features, features), stats.View(3 * features, features));
        long step = 0;
        var cases = new (string Op, int Passes, Action Call)[]
        {
            ("relu forward", 2, () => cpu.ActivationForward(y, x, Activation.ReLU)),
            ("relu backward", 3, () => cpu.ActivationBackward(y, g, x, x, Activation.ReLU)),
            ("dropout forward p=0.2", 2, () => cpu.DropoutForward(y, x, 0.2, 42, 7)),
            ("dropout backward p=0.2", 2, () => cpu.DropoutBackward(y, g, 0.2, 42, 7)),
            ("adam update", 7, () => cpu.AdamUpdate(y, g, m, v, null, new AdamSettings(), new UpdateStep(1e-3, ++step))),
            ("sgd momentum update", 5, () => cpu.SgdUpdate(y, g, m, new SgdSettings(Momentum: 0.9), new UpdateStep(1e-2, ++step))),
            ("rmsprop update", 5, () => cpu.RmsPropUpdate(y, g, v, null, null, new RmsPropSettings(), new UpdateStep(1e-2, ++step))),
            ("batchnorm forward (training)", 3, () => cpu.BatchNormForwardTraining(y2, mean, invStd, runMean, runVar, x2, gamma, beta, 0.1, 1e-5)),
            ("batchnorm backward", 5, () => cpu.BatchNormBackward(y2, dGamma, dBeta, g2, x2, gamma, mean, invStd)),
        };
        var source = new float[Elements];
        var target = new float[Elements];
        foreach (var (op, passes, call) in cases.Where(c => filter.Includes(c.Op)))
        {
            // The reference moves the same bytes: a copy reads and writes, so copy passes/2 buffers' worth.
            double bytes = (double)passes * Elements * sizeof(float);
            var (ours, copy) = Timing.Paired(call, () => CopyBytes(source, target, passes), pairs: 7);
            yield return new BenchRow(op, $"{Elements / (1 << 20)}M floats", "GB/s", ours, bytes / ours / 1e9,
                "Span<float>.CopyTo, same bytes", bytes / copy / 1e9, 0.70);
        }
    }

    /// <summary>Copies <paramref name="passes"/>/2 buffers' worth (one read and one write per element copied); an odd
    /// pass count ends with a half-buffer copy inside the loop (nothing more: an extra half copy would time 1 pass too
    /// many and flatter the odd-pass rows by (passes + 1)/passes).</summary>
    private static void CopyBytes(float[] source, float[] target, int passes)
    {
        long total = (long)passes * source.Length / 2;
        for (long done = 0; done < total; done += source.Length)
        {
            int n = (int)Math.Min(source.Length, total - done);
            source.AsSpan(0, n).CopyTo(target);
        }
    }

    private static float[] Random(int seed, int n)
    {
        var random = new HostRandom((ulong)seed, 0xBE7C);
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)random.Uniform(-1, 1);
        return data;
    }
}
