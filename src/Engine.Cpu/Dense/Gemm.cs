using System.Numerics;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// Gemm: C = act(α·op(A)·op(B) + β·C + bias) — op(A) (M,K), op(B) (K,N), C (M,N), bias (N) broadcast over rows;
/// op(X) = Xᵀ when its flag is set, so A is stored (M,K) or (K,M) and B (K,N) or (N,K). β = 0 never reads C
/// (NaN or garbage there is ignored, as in BLAS). K may be 0: then C = act(β·C + bias).
/// Napkin math: 2·M·N·K FLOPs.
/// </summary>
internal static class GemmKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The reference: the triple loop, one dot product per element accumulated in T in increasing k, then the
    /// epilogue in the order of the formula.
    /// </summary>
    public static void Reference(Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB,
        T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        Span<T> cs = CpuBackend<T>.Span(c);
        ReadOnlySpan<T> aS = CpuBackend<T>.Span(a), bS = CpuBackend<T>.Span(b);
        ReadOnlySpan<T> biasS = bias is null ? default : CpuBackend<T>.Span(bias);
        int m = c.Rows, n = c.Columns;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T aip = transposeA ? aS[p * m + i] : aS[i * k + p];
                    T bpj = transposeB ? bS[j * k + p] : bS[p * n + j];
                    sum += aip * bpj;
                }
                T value = alpha * sum;
                if (beta != T.Zero) value += beta * cs[i * n + j];
                if (bias is not null) value += biasS[j];
                cs[i * n + j] = value;
            }
        }
        ActivationKernels<T>.Forward(cs, cs, epilogue, vectorized: false);
    }

    /// <summary>The SIMD version: cache-blocked, packed, register-tiled (see <see cref="GemmSimd{T}"/>).</summary>
    public static void Simd(CpuBackend<T> backend, Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b,
        bool transposeB, T alpha, T beta, Tensor<T>? bias, Activation epilogue, int k)
    {
        if (k == 0)
        {
            // No product to form: C = act(β·C + bias), rows on one thread (the work is one pass over C).
            Span<T> cs = CpuBackend<T>.Span(c);
            ReadOnlySpan<T> biasS = bias is null ? default : CpuBackend<T>.Span(bias);
            int n = c.Columns;
            for (int i = 0; i < c.Rows; i++)
            {
                Span<T> row = cs.Slice(i * n, n);
                if (beta == T.Zero) row.Clear();
                else Scale(row, beta);
                Epilogue(row, biasS, epilogue);
            }
            return;
        }
        GemmSimd<T>.Run(backend, c, a, transposeA, b, transposeB, alpha, beta, bias, epilogue, k);
    }

    /// <summary>row = act(row + bias) in place, vectorised; an empty <paramref name="bias"/> means none.</summary>
    internal static void Epilogue(Span<T> row, ReadOnlySpan<T> bias, Activation epilogue)
    {
        if (!bias.IsEmpty)
        {
            int width = Vector<T>.Count, j = 0;
            for (; j <= row.Length - width; j += width)
                (new Vector<T>(row[j..]) + new Vector<T>(bias[j..])).CopyTo(row[j..]);
            for (; j < row.Length; j++) row[j] += bias[j];
        }
        if (epilogue.Kind != ActivationKind.Identity) ActivationKernels<T>.Forward(row, row, epilogue, vectorized: true);
    }

    private static void Scale(Span<T> row, T factor)
    {
        int width = Vector<T>.Count, j = 0;
        for (; j <= row.Length - width; j += width) (new Vector<T>(row[j..]) * factor).CopyTo(row[j..]);
        for (; j < row.Length; j++) row[j] *= factor;
    }
}
