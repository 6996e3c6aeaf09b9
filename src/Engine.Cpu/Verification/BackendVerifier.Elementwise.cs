namespace CudaNet.Cpu.Verification;

public static partial class BackendVerifier
{
    private static readonly VerificationTolerance Pointwise = VerificationTolerance.Elementwise;
    private static readonly VerificationTolerance Reduction = VerificationTolerance.Reduction;
    private static readonly VerificationTolerance Exact = VerificationTolerance.BitExact;

    // Allocate must zero-fill; Upload and Download must move exactly the elements of a view at an offset;
    // Synchronize must make queued work visible.
    private static void Memory(VerificationHarness h)
    {
        const int guard = 16;
        foreach (int n in h.Sizes.Lengths)
        {
            h.Record("Allocate", $"float [{n}]", "result", Exact, () => Allocated<float>(h.Actual, [n]), Allocated<float>(h.Reference, [n]));
            var data = h.Uniform(n);
            var outside = h.Uniform(n + 2 * guard);
            h.Record("Upload", $"view of {n} at offset {guard}", "buffer", Exact,
                () => UploadIntoView(h.Actual, outside, data, guard), UploadIntoView(h.Reference, outside, data, guard));
            h.Record("Download", $"view of {n} at offset {guard}", "result", Exact,
                () => DownloadView(h.Actual, outside, n, guard), DownloadView(h.Reference, outside, n, guard));
        }
        foreach (var (rows, columns) in h.Sizes.Matrices)
            h.Record("Allocate", $"int [{rows}, {columns}]", "result", Exact,
                () => Allocated<int>(h.Actual, [rows, columns]), Allocated<int>(h.Reference, [rows, columns]));
        int large = h.Sizes.Lengths[^1];
        h.Record("Synchronize", $"Scale of {large} then Download", "result", Pointwise,
            () => ScaledAfterSynchronize(h.Actual, large), ScaledAfterSynchronize(h.Reference, large));
    }

    private static TElement[] Allocated<TElement>(IBackend<float> backend, int[] shape) where TElement : unmanaged
    {
        using var tensor = backend.Allocate<TElement>(shape);
        if (!tensor.Shape.SequenceEqual(shape)) throw new InvalidOperationException($"Allocate returned shape {tensor}");
        return backend.ToArray(tensor);
    }

    private static float[] UploadIntoView(IBackend<float> backend, float[] outside, float[] data, int offset)
    {
        using var buffer = backend.FromArray(outside);
        backend.Upload(buffer.View(offset, data.Length), data);
        return backend.ToArray(buffer);
    }

    private static float[] DownloadView(IBackend<float> backend, float[] whole, int n, int offset)
    {
        using var buffer = backend.FromArray(whole);
        return backend.ToArray(buffer.View(offset, n));
    }

    private static float[] ScaledAfterSynchronize(IBackend<float> backend, int n)
    {
        using var x = backend.Allocate<float>(n);
        backend.Fill(x, 1.5);
        backend.Scale(x, x, -3);
        backend.Synchronize();
        var result = new float[n];
        backend.Download(x, result);
        return result;
    }

    private static void Blas1(VerificationHarness h)
    {
        foreach (int n in h.Sizes.Lengths)
        {
            string size = $"n={n}";
            var y = h.Output("x", h.Garbage(n), Exact, n);
            h.Check("Fill", size + " value -0.3", (b, s) => b.Fill(y[s], -0.3));

            var x = h.Input("x", h.Uniform(n), n);
            y = h.Output("y", h.Garbage(n), Exact, n);
            h.Check("Copy", size, (b, s) => b.Copy(y[s], x[s]));

            x = h.Input("x", h.Uniform(n, -100, 100), n);
            y = h.Output("y", h.Garbage(n), Pointwise, n);
            h.Check("Scale", size + " α=-1.75", (b, s) => b.Scale(y[s], x[s], -1.75));

            y = h.Output("y", h.Uniform(n), Pointwise, n);
            h.Check("Scale", size + " α=0.5 in place", (b, s) => b.Scale(y[s], y[s], 0.5));

            x = h.Input("x", h.Uniform(n), n);
            y = h.Output("y", h.Uniform(n), Pointwise, n);
            h.Check("Axpy", size + " α=0.3", (b, s) => b.Axpy(y[s], x[s], 0.3));

            x = h.Input("x", h.Uniform(n, -3, 3), n);
            var result = h.Output("result", h.Garbage(1), VerificationTolerance.Reduction, 1);
            h.Check("SquaredNorm", size, (b, s) => b.SquaredNorm(result[s], x[s]));
        }
    }

    private static void Reductions(VerificationHarness h)
    {
        foreach (var (rows, columns) in h.Sizes.Matrices)
        {
            string shape = $"{rows}×{columns}";
            var x = h.Input("x", h.Uniform(rows * columns), rows, columns);
            var y = h.Output("y", h.Garbage(columns), Reduction, columns);
            h.Check("ColumnSum", shape, (b, s) => b.ColumnSum(y[s], x[s]));

            x = h.Input("x", h.Uniform(rows * columns), rows, columns);
            y = h.Output("y", h.Garbage(rows), Reduction, rows);
            h.Check("RowSum", shape, (b, s) => b.RowSum(y[s], x[s]));

            // Gather `rows` rows, with repeats, from a data set of rows + 3.
            int available = rows + 3;
            x = h.Input("x", h.Uniform(available * columns), available, columns);
            var indices = h.Input("indices", h.Labels(rows, available), rows);
            y = h.Output("y", h.Garbage(rows * columns), Exact, rows, columns);
            h.Check("GatherRows", $"{rows} of {available}×{columns}", (b, s) => b.GatherRows(y[s], x[s], indices[s]));

            if (columns == 0) continue;
            // Logits on a coarse grid give ties (the first maximum wins), a NaN now and then counts as the largest value,
            // and every other label is the row's first maximum so the count is far from both 0 and the batch size.
            var logits = h.Uniform(rows * columns, -2, 2).Select((v, i) => i % 23 == 7 ? float.NaN : MathF.Round(v)).ToArray();
            var labels = h.Labels(rows, columns);
            for (int r = 0; r < rows; r += 2) labels[r] = FirstMax(logits.AsSpan(r * columns, columns));
            var logitsTwin = h.Input("logits", logits, rows, columns);
            var labelsTwin = h.Input("labels", labels, rows);
            var correct = h.Output("correct", [5], Exact, 1);
            h.Check("ArgMaxCountCorrect", shape + " ties and NaN, counter starts at 5",
                (b, s) => b.ArgMaxCountCorrect(correct[s], logitsTwin[s], labelsTwin[s]));
        }
    }

    private static int FirstMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length && !float.IsNaN(row[best]); c++)
            if (float.IsNaN(row[c]) || row[c] > row[best]) best = c;
        return best;
    }
}
