namespace CudaNet.Cuda;

/// <summary>
/// The arithmetic of <see cref="CudaBackend"/>'s GEMM (every <c>Gemm</c> call, so every dense layer forward and
/// backward). Float32 is the default; a tensor-core precision is an explicit choice, never a silent one (DESIGN.md §4).
/// </summary>
public enum GemmPrecision
{
    /// <summary>IEEE float32: each product rounded to float and summed in float32 with fma (kernel gemm_forward), the
    /// contract the CPU reference and the conformance tolerances are written for.</summary>
    Float32,

    /// <summary>TF32 tensor cores (kernel gemm_tf32_forward; compute capability 8.0 or later): every element of op(A)
    /// and op(B) is rounded to TF32 — float32's sign and 8-bit exponent with 10 mantissa bits, to nearest with ties away
    /// from zero, so a relative error up to 2⁻¹¹ per input — and the products, exact in float32, are summed in
    /// float32. α, β, C, the bias and the activation stay float32. Against float32 a sum of K products then differs by
    /// up to about (2·2⁻¹¹ + K·2⁻²⁴)·Σ|a·b|, which is what PyTorch's <c>allow_tf32</c> and cuBLAS's
    /// <c>CUBLAS_TF32_TENSOR_OP_MATH</c> accept.</summary>
    Tf32,
}
