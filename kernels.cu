// CudaNet kernels: every CUDA kernel of the engine, one section per op (DESIGN.md §5).
//
// The shipped PTX is generated from this file by tools/generate-ptx.sh (clang-19, sm_75 and sm_80) and
// committed under src/Kernels/; a test fails when it is stale. nvcc compiles the same file (build.ps1 -Nvcc).
// Entry points are extern "C" so the driver API finds them by name, and are named <op>_<pass>.

// ==== Prelude: the CUDA names this file uses, without the CUDA SDK ========================================
//
// nvcc, and clang given a CUDA installation, pre-include the CUDA headers that declare these names. clang-19
// with -nocudainc -nocudalib includes nothing (that is what lets a machine without the SDK regenerate the PTX),
// so each name is mapped here onto the compiler builtin that the CUDA headers themselves wrap.

#if defined(__clang__) && defined(__CUDA__) && !defined(__CLANG_CUDA_RUNTIME_WRAPPER_H__)

// Function and variable space qualifiers are clang attributes; the headers only spell them as macros.
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __shared__ __attribute__((shared))
#define __forceinline__ __inline__ __attribute__((always_inline))

// threadIdx.x and friends read PTX special registers. A property getter keeps the CUDA spelling (the
// technique of clang's own __clang_cuda_builtin_vars.h, which lives beside the SDK-dependent wrapper).
#define CUDANET_SPECIAL_REGISTER(FIELD, REGISTER)                                                       \
    __declspec(property(get = read_##FIELD)) unsigned int FIELD;                                        \
    static __device__ __forceinline__ unsigned int read_##FIELD() {                                     \
        return __nvvm_read_ptx_sreg_##REGISTER##_##FIELD();                                             \
    }
#define CUDANET_BUILTIN_VARIABLE(NAME, REGISTER)                                                        \
    struct cudanet_##NAME##_t {                                                                         \
        CUDANET_SPECIAL_REGISTER(x, REGISTER)                                                           \
        CUDANET_SPECIAL_REGISTER(y, REGISTER)                                                           \
        CUDANET_SPECIAL_REGISTER(z, REGISTER)                                                           \
    };                                                                                                  \
    extern const __device__ __attribute__((weak)) cudanet_##NAME##_t NAME;
CUDANET_BUILTIN_VARIABLE(threadIdx, tid)
CUDANET_BUILTIN_VARIABLE(blockIdx, ctaid)
CUDANET_BUILTIN_VARIABLE(blockDim, ntid)
CUDANET_BUILTIN_VARIABLE(gridDim, nctaid)

// __syncthreads() needs no mapping: clang knows it as an NVPTX builtin (bar.sync 0).

// The functions below are inline, so only the ones a kernel calls reach the PTX.

// Warp shuffle: the last operand of shfl.sync packs the segment mask and the lane clamp, as the headers do.
__device__ __forceinline__ float __shfl_xor_sync(unsigned int mask, float value, int laneMask, int width = 32) {
    return __nvvm_shfl_sync_bfly_f32(mask, value, laneMask, ((32 - width) << 8) | 0x1f);
}
__device__ __forceinline__ int __shfl_xor_sync(unsigned int mask, int value, int laneMask, int width = 32) {
    return __nvvm_shfl_sync_bfly_i32(mask, value, laneMask, ((32 - width) << 8) | 0x1f);
}

__device__ __forceinline__ float atomicAdd(float* address, float value) {
    return __nvvm_atom_add_gen_f(address, value);
}
__device__ __forceinline__ int atomicAdd(int* address, int value) { return __nvvm_atom_add_gen_i(address, value); }

// High word of the 32x32-bit product (mul.hi.u32): the core of Philox.
__device__ __forceinline__ unsigned int __umulhi(unsigned int a, unsigned int b) { return __nvvm_mulhi_ui(a, b); }

// Float math. -nocudalib leaves out libdevice, so each function maps onto one PTX instruction whose rounding
// matches nvcc's default: sqrtf is correctly rounded (-prec-sqrt=true), like the CPU's MathF.Sqrt; __expf is
// nvcc's fast approximation (ex2.approx), for kernels that document that they tolerate it.
__device__ __forceinline__ float sqrtf(float x) { return __nvvm_sqrt_rn_f(x); }
__device__ __forceinline__ float fmaf(float a, float b, float c) { return __nvvm_fma_rn_f(a, b, c); }
__device__ __forceinline__ float fmaxf(float a, float b) { return __nvvm_fmax_f(a, b); }
__device__ __forceinline__ float fminf(float a, float b) { return __nvvm_fmin_f(a, b); }
__device__ __forceinline__ float __expf(float x) { return __nvvm_ex2_approx_f(x * 1.4426950408889634f); }

// Bit-identity with the CPU (DESIGN.md §6) forbids fusing a*b+c into one fma, since the CPU rounds twice. No
// compile flag does that for one kernel only: clang's CUDA default -ffp-contract=fast ignores
// #pragma clang fp contract, and -ffp-contract=off (nvcc: --fmad=false) would take fma from GEMM as well. So
// float math that must match the CPU bit for bit is spelled with __fmul_rn/__fadd_rn: mul.rn/add.rn, which
// neither compiler nor ptxas contracts (nvcc defines the same two names with the same guarantee).
__device__ __forceinline__ float __fmul_rn(float a, float b) { return __nvvm_mul_rn_f(a, b); }
__device__ __forceinline__ float __fadd_rn(float a, float b) { return __nvvm_add_rn_f(a, b); }

#elif !defined(__NVCC__) && !defined(__CUDACC__)
#error "kernels.cu is compiled by tools/generate-ptx.sh (clang-19) or by nvcc"
#endif

// ==== axpy ==================================================================================================
//
// y[i] += alpha * x[i] — x (n), y (n), float; IBackend.Axpy.
// Launch: 1-D grid of 1-D blocks (256 threads), any grid size: the grid-stride loop covers n, so the launcher
// sizes the grid to fill the device (a few blocks per SM) instead of to n.
// Napkin math: reads x and y, writes y: 12 bytes and 2 FLOPs per element, so bandwidth-bound; the benchmark
// divides 12·n bytes by the time.
// One fma per element (one rounding, like cuBLAS saxpy): the CPU rounds the product first, so parity is
// within Tolerance, not bitwise.

extern "C" __global__ void axpy_forward(float* __restrict__ y, const float* __restrict__ x, float alpha, int n) {
    // 64-bit index: i + stride would overflow int for n near 2^31.
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = fmaf(alpha, x[i], y[i]);
    }
}

// ==== Philox4x32-10 =========================================================================================
//
// The counter-based generator of every mask and noise value, the same stream as src/Engine/Random/Philox.cs:
// key = (seed low, seed high); the counter of element i is (block low, block high, offset low, offset high) with
// block = i / 4, and element i takes word i % 4 of that block. Integer arithmetic only, so the GPU and CPU
// words are bit-identical by construction; float maps of the words (uniforms, noise) use __fmul_rn/__fadd_rn,
// as the prelude explains.

struct philox_words {
    unsigned int x0, x1, x2, x3;
};

// The ten-round Philox4x32 bijection of counter (c0, c1, c2, c3) under key (k0, k1) (Salmon et al., SC'11).
static __device__ __forceinline__ philox_words philox4x32_10(unsigned int c0, unsigned int c1, unsigned int c2,
                                                             unsigned int c3, unsigned int k0, unsigned int k1) {
    const unsigned int m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    const unsigned int w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
#pragma unroll
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += w0;
            k1 += w1;
        }
        const unsigned int hi0 = __umulhi(m0, c0), lo0 = m0 * c0;
        const unsigned int hi1 = __umulhi(m1, c2), lo1 = m1 * c2;
        const unsigned int n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    return philox_words{c0, c1, c2, c3};
}

// The four words of block `block` of the stream (seed, offset): Philox.Block on the CPU.
static __device__ __forceinline__ philox_words philox_block(unsigned long long seed, unsigned long long offset,
                                                            unsigned long long block) {
    return philox4x32_10((unsigned int)block, (unsigned int)(block >> 32), (unsigned int)offset,
                         (unsigned int)(offset >> 32), (unsigned int)seed, (unsigned int)(seed >> 32));
}

// ==== philox_fill ===========================================================================================
//
// out[i] = word i % 4 of Philox block i / 4 of the stream (seed, offset) — out (n), uint32. The raw stream, so
// the GPU generator can be checked against the Random123 known answers and, word for word, against the CPU.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride over Philox blocks: each thread computes one block
// of four words and stores the ones inside n.
// Napkin math: writes 4 bytes per element and reads nothing; 10 rounds of 2 mul.hi + 2 mul.lo + 4 xor + 2 add
// per 4 words is ~25 integer ops per element, enough to be ALU-bound where 32-bit multiplies are slow: the
// benchmark divides 4·n bytes by the time.

extern "C" __global__ void philox_fill(unsigned int* __restrict__ out, int n, unsigned long long seed,
                                       unsigned long long offset) {
    const long long blocks = ((long long)n + 3) / 4;
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += stride) {
        const philox_words words = philox_block(seed, offset, (unsigned long long)b);
        const long long i = 4 * b;
        out[i] = words.x0;
        if (i + 1 < n) out[i + 1] = words.x1;
        if (i + 2 < n) out[i + 2] = words.x2;
        if (i + 3 < n) out[i + 3] = words.x3;
    }
}
