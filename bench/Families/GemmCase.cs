namespace CudaNet.Bench.Families;

/// <summary>One GEMM shape: op(A) (M,K), op(B) (K,N), C (M,N).</summary>
/// <param name="Role">Where the MLP step uses it: <c>fwd</c>, <c>dX</c>, <c>dW</c>, or <c>square</c>.</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The summed dimension.</param>
/// <param name="TransposeA">A is stored (K,M).</param>
/// <param name="TransposeB">B is stored (N,K).</param>
/// <param name="Bias">Fuses the bias add (the forward pass).</param>
/// <param name="ReLU">Fuses ReLU after the bias (the hidden layers' forward pass).</param>
public sealed record GemmCase(string Role, int M, int N, int K, bool TransposeA, bool TransposeB, bool Bias, bool ReLU)
{
    /// <summary>E.g. <c>fwd NT+bias+ReLU 128x512x784</c>, the form BenchmarkDotNet's table shows.</summary>
    public override string ToString()
    {
        string layout = $"{(TransposeA ? 'T' : 'N')}{(TransposeB ? 'T' : 'N')}";
        string epilogue = (Bias ? "+bias" : "") + (ReLU ? "+ReLU" : "");
        return $"{Role} {layout}{epilogue} {M}x{N}x{K}";
    }
}
