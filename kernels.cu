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
// Limits for ptxas's register allocation: at most THREADS per block, and MIN_BLOCKS resident per SM.
#define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))

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
// A double moves as its two 32-bit halves, as the CUDA headers do it.
__device__ __forceinline__ double __shfl_xor_sync(unsigned int mask, double value, int laneMask, int width = 32) {
    const unsigned long long bits = __builtin_bit_cast(unsigned long long, value);
    const int low = __shfl_xor_sync(mask, (int)(unsigned int)bits, laneMask, width);
    const int high = __shfl_xor_sync(mask, (int)(unsigned int)(bits >> 32), laneMask, width);
    return __builtin_bit_cast(double, ((unsigned long long)(unsigned int)high << 32) | (unsigned int)low);
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
__device__ __forceinline__ float fabsf(float x) { return __builtin_fabsf(x); }
__device__ __forceinline__ float __expf(float x) { return __nvvm_ex2_approx_f(x * 1.4426950408889634f); }

// Bit-identity with the CPU (DESIGN.md §6) forbids fusing a*b+c into one fma, since the CPU rounds twice. No
// compile flag does that for one kernel only: clang's CUDA default -ffp-contract=fast ignores
// #pragma clang fp contract, and -ffp-contract=off (nvcc: --fmad=false) would take fma from GEMM as well. So
// float math that must match the CPU bit for bit is spelled with __fmul_rn/__fadd_rn: mul.rn/add.rn, which
// neither compiler nor ptxas contracts (nvcc defines the same two names with the same guarantee).
__device__ __forceinline__ float __fmul_rn(float a, float b) { return __nvvm_mul_rn_f(a, b); }
__device__ __forceinline__ float __fadd_rn(float a, float b) { return __nvvm_add_rn_f(a, b); }
// a - b is a + (-b) in IEEE arithmetic (negation is exact), so add.rn gives nvcc's __fsub_rn.
__device__ __forceinline__ float __fsub_rn(float a, float b) { return __nvvm_add_rn_f(a, -b); }
// Correctly rounded division and square root (div.rn, sqrt.rn), spelled out where bit-identity depends on them.
__device__ __forceinline__ float __fdiv_rn(float a, float b) { return __nvvm_div_rn_f(a, b); }
__device__ __forceinline__ float __fsqrt_rn(float x) { return __nvvm_sqrt_rn_f(x); }

// The same for double (begin_step computes the step's coefficients in double, as UpdateCoefficients.cs does on the
// host): dmul/dadd/ddiv/dsqrt .rn are correctly rounded and never contracted, so each result is the host's bits.
__device__ __forceinline__ double __dmul_rn(double a, double b) { return __nvvm_mul_rn_d(a, b); }
__device__ __forceinline__ double __dadd_rn(double a, double b) { return __nvvm_add_rn_d(a, b); }
__device__ __forceinline__ double __dsub_rn(double a, double b) { return __nvvm_add_rn_d(a, -b); }
__device__ __forceinline__ double __ddiv_rn(double a, double b) { return __nvvm_div_rn_d(a, b); }
__device__ __forceinline__ double __dsqrt_rn(double x) { return __nvvm_sqrt_rn_d(x); }

// Bit moves between float and int (exact; PortableMath reads the exponent from the bits).
__device__ __forceinline__ int __float_as_int(float x) { return __builtin_bit_cast(int, x); }
__device__ __forceinline__ float __int_as_float(int x) { return __builtin_bit_cast(float, x); }

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

// ==== Elementwise family: shared helpers ===================================================================
//
// Reductions here are deterministic: every sum is combined in an order fixed by the launch geometry alone
// (never by timing or atomics on floats), and the launchers fix that geometry, so a result is the same bits on
// every run on a given GPU.

// Sum over the 32 lanes of a warp by an xor butterfly: every lane ends with the same value, in the same order.
static __device__ __forceinline__ float warp_sum(float value) {
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) value += __shfl_xor_sync(0xffffffffu, value, mask);
    return value;
}

// Sum over a block of blockDim.x threads (a multiple of 32, at most 1024); the result is valid in warp 0.
// `warp_partials` is a __shared__ array of 32 floats.
static __device__ __forceinline__ float block_sum(float value, float* warp_partials) {
    value = warp_sum(value);
    const unsigned int lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
    if (lane == 0) warp_partials[warp] = value;
    __syncthreads();
    value = threadIdx.x < (blockDim.x >> 5) ? warp_partials[threadIdx.x] : 0.0f;
    return warp == 0 ? warp_sum(value) : value;
}

// Four consecutive floats, loaded and stored as one 16-byte access: a warp then moves 512 contiguous bytes per
// instruction, four times the bytes in flight of a float access, which is what keeps HBM busy.
struct alignas(16) float_quad {
    float lane[4];
};

static __device__ __forceinline__ bool aligned_16(const void* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0;
}

// ==== fill ==================================================================================================
//
// x[i] = value — x (n), float; IBackend.Fill.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride, grid sized to fill the device.
// Napkin math: writes 4 bytes per element, no FLOPs: the benchmark divides 4·n bytes by the time.

extern "C" __global__ void fill_forward(float* __restrict__ x, float value, int n) {
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) x[i] = value;
}

// ==== scale =================================================================================================
//
// y[i] = alpha * x[i] — x (n), y (n), float; y may be x, so neither pointer is __restrict__; IBackend.Scale.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride, grid sized to fill the device.
// Napkin math: reads x, writes y: 8 bytes and 1 FLOP per element; the benchmark divides 8·n bytes by the time.
// One correctly rounded multiply, as on the CPU, so the result is bit-identical to it.

extern "C" __global__ void scale_forward(float* y, const float* x, float alpha, int n) {
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = __fmul_rn(alpha, x[i]);
    }
}

// ==== squared_norm ==========================================================================================
//
// result[0] = Σ x[i]² — x (n), result (1), float; IBackend.SquaredNorm. NaN and ∞ propagate.
// Launch: two passes with a fixed geometry, so the sum does not depend on timing. squared_norm_forward runs
// exactly 256 blocks of 256 threads (CudaBackend.SquaredNormBlocks; never sized to the device): thread t of
// block b accumulates elements b·256 + t + k·65536 in order with fma, the block sums its threads with
// block_sum, and partials[b] receives the block's sum. squared_norm_combine (one block of 256 threads) sums the
// 256 partials the same way into result[0]. 256 blocks keep every SM of a current GPU busy (2+ blocks per SM).
// Napkin math: reads 4 bytes and does 2 FLOPs per element (plus 1 KiB of partials): the benchmark divides 4·n
// bytes by the time.

extern "C" __global__ void squared_norm_forward(float* __restrict__ partials, const float* __restrict__ x, int n) {
    __shared__ float warp_partials[32];
    const long long stride = (long long)blockDim.x * gridDim.x;
    float sum = 0.0f;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        sum = fmaf(x[i], x[i], sum);
    }
    sum = block_sum(sum, warp_partials);
    if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

extern "C" __global__ void squared_norm_combine(float* __restrict__ result, const float* __restrict__ partials,
                                                int count) {
    __shared__ float warp_partials[32];
    float sum = 0.0f;
    for (int i = threadIdx.x; i < count; i += blockDim.x) sum += partials[i];
    sum = block_sum(sum, warp_partials);
    if (threadIdx.x == 0) result[0] = sum;
}

// ==== column_sum ============================================================================================
//
// y[f] = Σ_n x[n, f] — x (rows, cols) row-major, y (cols), float; IBackend.ColumnSum (bias gradients).
// Launch: blocks of (32, 8) threads, grid (ceil(cols / 32)): thread (c, r) of block b sums column b·32 + c over
// rows r, r + 8, … in order (a warp reads 32 adjacent floats of one row: coalesced), then thread (c, 0) adds
// the 8 slices in order. Deterministic. One block per 32 columns leaves SMs idle for tall, narrow inputs
// (N ≫ F); bias gradients (N a batch, F hundreds) fill the device.
// Napkin math: reads 4 bytes and does 1 FLOP per element of x: the benchmark divides 4·rows·cols bytes by the time.

extern "C" __global__ void column_sum_forward(float* __restrict__ y, const float* __restrict__ x, int rows, int cols) {
    __shared__ float slices[8][33];  // 33: no bank conflicts when thread (c, 0) reads down a column
    const int col = blockIdx.x * 32 + threadIdx.x;
    float sum = 0.0f;
    if (col < cols) {
        for (long long r = threadIdx.y; r < rows; r += blockDim.y) sum += x[r * cols + col];
    }
    slices[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && col < cols) {
        float total = slices[0][threadIdx.x];
        for (int s = 1; s < 8; s++) total += slices[s][threadIdx.x];
        y[col] = total;
    }
}

// ==== row_sum ===============================================================================================
//
// y[n] = Σ_f x[n, f] — x (rows, cols) row-major, y (rows), float; IBackend.RowSum.
// Launch: blocks of 256 threads = 8 warps, one warp per row, grid (ceil(rows / 8)); lane l sums columns
// l, l + 32, … in order and warp_sum combines the lanes. Deterministic.
// Napkin math: reads 4 bytes and does 1 FLOP per element of x: the benchmark divides 4·rows·cols bytes by the time.

extern "C" __global__ void row_sum_forward(float* __restrict__ y, const float* __restrict__ x, int rows, int cols) {
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    const unsigned int lane = threadIdx.x & 31u;
    const float* values = x + row * cols;
    float sum = 0.0f;
    for (int c = lane; c < cols; c += 32) sum += values[c];
    sum = warp_sum(sum);
    if (lane == 0) y[row] = sum;
}

// ==== index_range_check =====================================================================================
//
// The device-side argument check of the ops that take indices (GatherRows, ArgMaxCountCorrect): finds the
// first position p with indices[p] outside [0, bound) and, unless an earlier fault is still unreported, records
// it in the backend's fault record: status = {1, op, p, indices[p], bound}. The guarded kernels, next on the
// same stream, write nothing while status[0] != 0: a bad call leaves its outputs untouched, and so do the
// checked calls after it until the host has read the record (at its next synchronisation, or right after the
// launch in synchronous mode) and thrown: their indices were never checked against a clean record, and the
// pending exception already says the results are void.
// Launch: exactly one block of 256 threads; thread t scans positions t, t + 256, … (its first hit is its
// smallest), and a block-wide minimum picks the first.
// Napkin math: reads 4 bytes per index (a batch: thousands), negligible beside the op it guards.

extern "C" __global__ void index_range_check(int* __restrict__ status, const int* __restrict__ indices, int n,
                                             int bound, int op) {
    __shared__ int warp_first[32];
    const int none = 0x7fffffff;
    int first = none;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        const int index = indices[i];
        if (index < 0 || index >= bound) {
            first = i;
            break;
        }
    }
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) {
        const int other = __shfl_xor_sync(0xffffffffu, first, mask);
        first = other < first ? other : first;
    }
    if ((threadIdx.x & 31u) == 0) warp_first[threadIdx.x >> 5] = first;
    __syncthreads();
    if (threadIdx.x == 0) {
        for (unsigned int w = 1; w < (blockDim.x >> 5); w++) first = warp_first[w] < first ? warp_first[w] : first;
        if (first != none && status[0] == 0) {
            status[0] = 1;
            status[1] = op;
            status[2] = first;
            status[3] = indices[first];
            status[4] = bound;
        }
    }
}

// ==== gather_rows ===========================================================================================
//
// y[b, :] = x[indices[b], :] — x (R, cols), indices (batch) in [0, R), y (batch, cols), float;
// IBackend.GatherRows. index_range_check runs first on the same stream; while a fault is recorded (status[0] != 0)
// nothing is written.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride over the batch·cols elements of y, grid sized to fill
// the device; consecutive threads copy consecutive floats of one row (coalesced on both sides).
// Napkin math: reads and writes 4 bytes per element of y (plus 4 bytes per row of indices): the benchmark
// divides 8·batch·cols bytes by the time.

extern "C" __global__ void gather_rows_forward(float* __restrict__ y, const float* __restrict__ x,
                                               const int* __restrict__ indices, const int* __restrict__ status,
                                               int batch, int cols) {
    if (status[0] != 0) return;
    const long long total = (long long)batch * cols;
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const long long b = e / cols, c = e - b * cols;
        y[e] = x[(long long)indices[b] * cols + c];
    }
}

// ==== argmax_count_correct ==================================================================================
//
// correct[0] += #{n : argmax_c logits[n, c] == labels[n]} — logits (rows, classes), labels (rows), correct (1)
// int; IBackend.ArgMaxCountCorrect. torch.argmax semantics: NaN is the largest value, ties (and NaN against NaN)
// go to the first index, -0 ties with +0. index_range_check runs first; while a fault is recorded nothing is
// counted.
// Launch: blocks of 256 threads = 8 warps, one warp per row, grid-stride over rows with the grid sized to fill
// the device; lane l scans classes l, l + 32, …, the warp combines (value, index) pairs by the same rule, each
// block sums its hits in shared memory and adds them to correct[0] with one integer atomic (exact, so order
// does not matter).
// Napkin math: reads 4 bytes per logit and per label: the benchmark divides 4·rows·(classes + 1) bytes by the time.

// True when (value, index) should replace the current best (best, bestIndex).
static __device__ __forceinline__ bool argmax_better(float value, int index, float best, int bestIndex) {
    const bool valueNaN = value != value, bestNaN = best != best;
    if (valueNaN || bestNaN) return valueNaN && (!bestNaN || index < bestIndex);
    return value > best || (value == best && index < bestIndex);
}

extern "C" __global__ void argmax_count_correct_forward(int* __restrict__ correct, const float* __restrict__ logits,
                                                        const int* __restrict__ labels,
                                                        const int* __restrict__ status, int rows, int classes) {
    __shared__ int block_hits;
    if (status[0] != 0) return;
    if (threadIdx.x == 0) block_hits = 0;
    __syncthreads();
    const unsigned int lane = threadIdx.x & 31u;
    const long long warps = (long long)gridDim.x * (blockDim.x >> 5);
    int hits = 0;
    for (long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5); row < rows; row += warps) {
        const float* values = logits + row * classes;
        // A lane without a class holds (-inf, INT_MAX), which every real class replaces.
        float best = -__builtin_huge_valf();
        int bestIndex = 0x7fffffff;
        for (int c = lane; c < classes; c += 32) {
            if (argmax_better(values[c], c, best, bestIndex)) {
                best = values[c];
                bestIndex = c;
            }
        }
#pragma unroll
        for (int mask = 16; mask > 0; mask >>= 1) {
            const float otherValue = __shfl_xor_sync(0xffffffffu, best, mask);
            const int otherIndex = __shfl_xor_sync(0xffffffffu, bestIndex, mask);
            if (argmax_better(otherValue, otherIndex, best, bestIndex)) {
                best = otherValue;
                bestIndex = otherIndex;
            }
        }
        if (lane == 0 && bestIndex == labels[row]) hits++;
    }
    if (lane == 0 && hits > 0) atomicAdd(&block_hits, hits);
    __syncthreads();
    if (threadIdx.x == 0 && block_hits > 0) atomicAdd(correct, block_hits);
}

// ==== Optimizers family: shared element math ================================================================
//
// One fused update kernel per optimizer, <optimizer>_update_forward, applied to a flat parameter range (DESIGN.md
// §3): w (n) parameters, g (n) gradients, and the optimizer's state arrays (n each), all float and pairwise
// disjoint (the shared validation checks it). Every element is independent, so each kernel is a grid-stride loop.
//
// Intent: every result is BIT-IDENTICAL to the CPU backend's float path (src/Engine.Cpu/Optimizers/*.cs, which
// reproduces PyTorch 1.13's rounding). The per-step scalars (-lr/bc1, 1-β, the decay factor, …) are computed on
// the host by the same UpdateCoefficients code the CPU uses and passed as float arguments, and each element then
// does the CPU's operations in the CPU's order, each IEEE-rounded: fmaf exactly where the CPU calls
// FusedMultiplyAdd, and __fmul_rn/__fadd_rn/__fdiv_rn/__fsqrt_rn everywhere else (a plain a*b+c would be
// contracted into an fma, which the CPU does not do). Subnormals are kept (no ftz), as on the CPU. Only the bits
// of a NaN may differ (the GPU's canonical NaN is not x86's); NaN stays NaN.
// tests/Cuda/OptimizerKernelTests.cs compiles this family's code for the host (these names mapped onto their
// IEEE C++ equivalents, with -ffp-contract=off) and compares it with the CPU backend bit for bit.
//
// Launch (every optimizer): 1-D grid of 1-D blocks (256 threads), grid-stride, grid sized for ⌈n/4⌉ items and
// capped to fill the device (CudaBackend.OptimizerLaunch). When every array the kernel touches is 16-byte
// aligned, threads step over float4 quads and the last n mod 4 elements go through the scalar loop; otherwise
// (a view at an odd offset) the whole range takes the scalar loop.
// Optional state (SGD's momentum buffer, RMSprop's gradient average and momentum buffer, AMSGrad's running
// maximum) is passed as a null pointer when its switch is off; the branch on it is uniform over the grid.
//
// Each optimizer has two entry points: <optimizer>_update_forward takes the step's coefficients as float arguments
// (computed on the host), and <optimizer>_update_controlled reads them from its parameter group's record in device
// memory, written by begin_step (the "Step control family" below), so a training step needs no host read and a
// captured graph replays it unchanged. The controlled form returns at once when the record says the step is
// skipped, and otherwise applies the record's gradient factor before the same element math. Every thread reads
// the record itself: the same few addresses for the whole grid, i.e. broadcast loads served from cache.

// The coefficient record of one group (StepRecord.cs): [applies, factor, L1, L2, decay, penalizes, own…], own
// being the optimizer's float arguments of its _forward kernel after the penalty, in order (SGD: its first-step
// flag last). Flags are 1.0f or 0.0f.
static constexpr int RECORD_APPLIES = 0, RECORD_FACTOR = 1, RECORD_L1 = 2, RECORD_L2 = 3, RECORD_DECAY = 4,
                     RECORD_PENALIZES = 5, RECORD_OWN = 6, RECORD_WIDTH = 16;

// The penalties of UpdateMath.Penalized: g' = f·g + L1·sign(w) + L2·w with "+ L2·w" fused, then the caller's
// decoupled decay w *= decay (exactly 1 without decay). Without penalties g is used as it is (g + 0 would turn
// -0 into +0). The gradient factor f (1 or the clip coefficient) is applied by the controlled kernels only, as its
// own rounded multiply: the bits of scale_forward followed by the update; the host-scalar kernels leave `scales` 0.
struct optim_penalty {
    float l1, l2, decay;
    int penalize;
    float factor;
    int scales;
};

static __device__ __forceinline__ float optim_penalized(float g, float w, const optim_penalty& p) {
    if (p.scales) g = __fmul_rn(g, p.factor);
    if (!p.penalize) return g;
    const float l1_sign = w > 0.0f ? p.l1 : (w < 0.0f ? -p.l1 : 0.0f);
    return fmaf(p.l2, w, __fadd_rn(g, l1_sign));
}

// The penalty of a record, with its gradient factor; a factor of exactly 1 (no clipping) is not multiplied: 1·g is
// g for every g an applied step can hold (StepRecord.Penalty makes the same choice).
static __device__ __forceinline__ optim_penalty optim_record_penalty(const float* record) {
    return {record[RECORD_L1], record[RECORD_L2], record[RECORD_DECAY], record[RECORD_PENALIZES] != 0.0f,
            record[RECORD_FACTOR], record[RECORD_FACTOR] != 1.0f};
}

// .NET's float.Max (IEEE 754-2019 maximum), which the CPU uses: a NaN operand wins (fmaxf would drop it) and +0
// is above -0 (the sum of two zeros is -0 only when both are -0).
static __device__ __forceinline__ float optim_max(float a, float b) {
    if (a != b) return a != a ? a : (b < a ? a : b);
    return a == 0.0f ? __fadd_rn(a, b) : a;
}

// Four consecutive floats, loaded and stored as one 16-byte access.
struct alignas(16) optim_quad {
    float lane[4];
};

static __device__ __forceinline__ bool optim_aligned(const void* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0;
}

// Applies `element(w, g, s0, s1, s2)` to every index of [0, n): s0..s2 are the optimizer's state arrays in its
// parameter order, null for a slot the optimizer does not have or does not use (the element gets a dummy then,
// which it ignores).
template <typename Element>
static __device__ __forceinline__ void optim_update(const Element& element, float* __restrict__ w,
                                                    const float* __restrict__ g, float* __restrict__ s0,
                                                    float* __restrict__ s1, float* __restrict__ s2, int n) {
    const long long stride = (long long)blockDim.x * gridDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long scalar_start = 0;
    if (optim_aligned(w) && optim_aligned(g) && optim_aligned(s0) && optim_aligned(s1) && optim_aligned(s2)) {
        const long long quads = n / 4;
        for (long long q = first; q < quads; q += stride) {
            optim_quad wq = reinterpret_cast<const optim_quad*>(w)[q];
            const optim_quad gq = reinterpret_cast<const optim_quad*>(g)[q];
            optim_quad aq = s0 ? reinterpret_cast<const optim_quad*>(s0)[q] : optim_quad{};
            optim_quad bq = s1 ? reinterpret_cast<const optim_quad*>(s1)[q] : optim_quad{};
            optim_quad cq = s2 ? reinterpret_cast<const optim_quad*>(s2)[q] : optim_quad{};
#pragma unroll
            for (int k = 0; k < 4; ++k) element(wq.lane[k], gq.lane[k], aq.lane[k], bq.lane[k], cq.lane[k]);
            reinterpret_cast<optim_quad*>(w)[q] = wq;
            if (s0) reinterpret_cast<optim_quad*>(s0)[q] = aq;
            if (s1) reinterpret_cast<optim_quad*>(s1)[q] = bq;
            if (s2) reinterpret_cast<optim_quad*>(s2)[q] = cq;
        }
        scalar_start = quads * 4;
    }
    for (long long i = scalar_start + first; i < n; i += stride) {
        float wi = w[i], a = s0 ? s0[i] : 0.0f, b = s1 ? s1[i] : 0.0f, c = s2 ? s2[i] : 0.0f;
        element(wi, g[i], a, b, c);
        w[i] = wi;
        if (s0) s0[i] = a;
        if (s1) s1[i] = b;
        if (s2) s2[i] = c;
    }
}

// ==== sgd_update ============================================================================================
//
// SGD (SgdUpdate.cs): d = g'; with momentum b = d on step 1, else b = fma(1-τ, d, b·μ), then d = fma(μ, b, d)
// (Nesterov) or d = b; w = fma(-lr, d, w). w, g, b (n); b is null without momentum.
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, writes w: 12 B per element without momentum; with it also reads and writes b: 20 B.

struct sgd_element {
    optim_penalty penalty;
    float negative_lr, momentum, one_minus_dampening;
    int uses_momentum, nesterov, first_step;

    __device__ __forceinline__ void operator()(float& w, float g, float& b, float&, float&) const {
        float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        if (uses_momentum) {
            // PyTorch creates the buffer as a copy of the first gradient, without dampening.
            b = first_step ? d : fmaf(one_minus_dampening, d, __fmul_rn(b, momentum));
            d = nesterov ? fmaf(momentum, b, d) : b;
        }
        w = fmaf(negative_lr, d, w);
    }
};

extern "C" __global__ void sgd_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                              float* __restrict__ momentum_buffer, float l1, float l2, float decay,
                                              float negative_lr, float momentum, float one_minus_dampening,
                                              int penalize, int uses_momentum, int nesterov, int first_step, int n) {
    const sgd_element element{{l1, l2, decay, penalize}, negative_lr, momentum, one_minus_dampening,
                              uses_momentum, nesterov, first_step};
    optim_update(element, w, g, momentum_buffer, nullptr, nullptr, n);
}

extern "C" __global__ void sgd_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                 float* __restrict__ momentum_buffer, const float* __restrict__ record,
                                                 int uses_momentum, int nesterov, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const sgd_element element{optim_record_penalty(record), own[0], own[1], own[2], uses_momentum, nesterov,
                              own[3] != 0.0f};
    optim_update(element, w, g, momentum_buffer, nullptr, nullptr, n);
}

// ==== adagrad_update ========================================================================================
//
// Adagrad (AdagradUpdate.cs): s = fma(g', g', s), w = w + (-clr)·g'/(√s + eps). w, g, s (n).
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, s, writes w, s: 20 B per element.

struct adagrad_element {
    optim_penalty penalty;
    float negative_clr, eps;

    __device__ __forceinline__ void operator()(float& w, float g, float& s, float&, float&) const {
        const float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        s = fmaf(d, d, s);
        w = __fadd_rn(w, __fdiv_rn(__fmul_rn(negative_clr, d), __fadd_rn(__fsqrt_rn(s), eps)));
    }
};

extern "C" __global__ void adagrad_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                                  float* __restrict__ sum, float l1, float l2, float decay,
                                                  float negative_clr, float eps, int penalize, int n) {
    const adagrad_element element{{l1, l2, decay, penalize}, negative_clr, eps};
    optim_update(element, w, g, sum, nullptr, nullptr, n);
}

extern "C" __global__ void adagrad_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                     float* __restrict__ sum, const float* __restrict__ record, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const adagrad_element element{optim_record_penalty(record), own[0], own[1]};
    optim_update(element, w, g, sum, nullptr, nullptr, n);
}

// ==== adadelta_update =======================================================================================
//
// Adadelta (AdadeltaUpdate.cs): v = fma((1-ρ)g', g', vρ), Δ = √(u + eps)/√(v + eps)·g',
// u = fma((1-ρ)Δ, Δ, uρ), w = fma(-lr, Δ, w). w, g, v = square average, u = accumulated delta (n).
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, v, u, writes w, v, u: 28 B per element.

struct adadelta_element {
    optim_penalty penalty;
    float rho, one_minus_rho, eps, negative_lr;

    __device__ __forceinline__ void operator()(float& w, float g, float& v, float& u, float&) const {
        const float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        v = fmaf(__fmul_rn(one_minus_rho, d), d, __fmul_rn(v, rho));
        const float delta = __fmul_rn(__fdiv_rn(__fsqrt_rn(__fadd_rn(u, eps)), __fsqrt_rn(__fadd_rn(v, eps))), d);
        u = fmaf(__fmul_rn(one_minus_rho, delta), delta, __fmul_rn(u, rho));
        w = fmaf(negative_lr, delta, w);
    }
};

extern "C" __global__ void adadelta_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                                   float* __restrict__ square_avg, float* __restrict__ acc_delta,
                                                   float l1, float l2, float decay, float rho, float one_minus_rho,
                                                   float eps, float negative_lr, int penalize, int n) {
    const adadelta_element element{{l1, l2, decay, penalize}, rho, one_minus_rho, eps, negative_lr};
    optim_update(element, w, g, square_avg, acc_delta, nullptr, n);
}

extern "C" __global__ void adadelta_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                      float* __restrict__ square_avg, float* __restrict__ acc_delta,
                                                      const float* __restrict__ record, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const adadelta_element element{optim_record_penalty(record), own[0], own[1], own[2], own[3]};
    optim_update(element, w, g, square_avg, acc_delta, nullptr, n);
}

// ==== rmsprop_update ========================================================================================
//
// RMSprop (RmsPropUpdate.cs): v = fma((1-α)g', g', vα); centered: a = fma(1-α, g', aα), r = √fma(-a, a, v) + eps,
// else r = √v + eps; with momentum b = bμ + g'/r and w = fma(-lr, b, w) (Nesterov: w = fma(-lr, fma(μ, b, g'/r),
// w)), else w = w + (-lr)·g'/r. w, g, v = square average, a = gradient average (null unless centered),
// b = momentum buffer (null without momentum) (n).
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, v, writes w, v: 20 B per element; centered and momentum add 8 B each (up to 36 B).

struct rmsprop_element {
    optim_penalty penalty;
    float alpha, one_minus_alpha, eps, momentum, negative_lr;
    int centered, uses_momentum, nesterov;

    __device__ __forceinline__ void operator()(float& w, float g, float& v, float& a, float& b) const {
        const float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        v = fmaf(__fmul_rn(one_minus_alpha, d), d, __fmul_rn(v, alpha));
        float average;
        if (centered) {
            a = fmaf(one_minus_alpha, d, __fmul_rn(a, alpha));
            average = __fadd_rn(__fsqrt_rn(fmaf(-a, a, v)), eps);
        } else {
            average = __fadd_rn(__fsqrt_rn(v), eps);
        }
        if (uses_momentum) {
            b = __fadd_rn(__fmul_rn(b, momentum), __fdiv_rn(d, average));
            const float direction = nesterov ? fmaf(momentum, b, __fdiv_rn(d, average)) : b;
            w = fmaf(negative_lr, direction, w);
        } else {
            w = __fadd_rn(w, __fdiv_rn(__fmul_rn(negative_lr, d), average));
        }
    }
};

extern "C" __global__ void rmsprop_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                                  float* __restrict__ square_avg, float* __restrict__ grad_avg,
                                                  float* __restrict__ momentum_buffer, float l1, float l2, float decay,
                                                  float alpha, float one_minus_alpha, float eps, float momentum,
                                                  float negative_lr, int penalize, int centered, int uses_momentum,
                                                  int nesterov, int n) {
    const rmsprop_element element{{l1, l2, decay, penalize}, alpha, one_minus_alpha, eps, momentum, negative_lr,
                                  centered, uses_momentum, nesterov};
    optim_update(element, w, g, square_avg, grad_avg, momentum_buffer, n);
}

extern "C" __global__ void rmsprop_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                     float* __restrict__ square_avg, float* __restrict__ grad_avg,
                                                     float* __restrict__ momentum_buffer,
                                                     const float* __restrict__ record, int centered,
                                                     int uses_momentum, int nesterov, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const rmsprop_element element{optim_record_penalty(record), own[0], own[1], own[2], own[3], own[4],
                                  centered, uses_momentum, nesterov};
    optim_update(element, w, g, square_avg, grad_avg, momentum_buffer, n);
}

// ==== adam_update ===========================================================================================
//
// Adam / AMSGrad / AdamW (AdamUpdate.cs): m = fma(1-β₁, g', mβ₁), v = fma((1-β₂)g', g', vβ₂), AMSGrad
// v̂ = max(v̂, v); w = w + (-lr/bc₁)·m/(√v/√bc₂ + eps) (v̂ for AMSGrad); AdamW's decay factor multiplies w first.
// w, g, m, v, v̂ (n); v̂ is null unless AMSGrad.
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, m, v, writes w, m, v: 28 B per element; AMSGrad reads and writes v̂ too: 36 B.

struct adam_element {
    optim_penalty penalty;
    float beta1, one_minus_beta1, beta2, one_minus_beta2, negative_step_size, bias_correction2_sqrt, eps;
    int amsgrad;

    __device__ __forceinline__ void operator()(float& w, float g, float& m, float& v, float& v_max) const {
        const float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        m = fmaf(one_minus_beta1, d, __fmul_rn(m, beta1));
        v = fmaf(__fmul_rn(one_minus_beta2, d), d, __fmul_rn(v, beta2));
        float second = v;
        if (amsgrad) {
            v_max = optim_max(v_max, v);
            second = v_max;
        }
        const float denominator = __fadd_rn(__fdiv_rn(__fsqrt_rn(second), bias_correction2_sqrt), eps);
        w = __fadd_rn(w, __fdiv_rn(__fmul_rn(negative_step_size, m), denominator));
    }
};

extern "C" __global__ void adam_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                               float* __restrict__ exp_avg, float* __restrict__ exp_avg_sq,
                                               float* __restrict__ max_exp_avg_sq, float l1, float l2, float decay,
                                               float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                                               float negative_step_size, float bias_correction2_sqrt, float eps,
                                               int penalize, int amsgrad, int n) {
    const adam_element element{{l1, l2, decay, penalize}, beta1, one_minus_beta1, beta2, one_minus_beta2,
                               negative_step_size, bias_correction2_sqrt, eps, amsgrad};
    optim_update(element, w, g, exp_avg, exp_avg_sq, max_exp_avg_sq, n);
}

extern "C" __global__ void adam_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                  float* __restrict__ exp_avg, float* __restrict__ exp_avg_sq,
                                                  float* __restrict__ max_exp_avg_sq, const float* __restrict__ record,
                                                  int amsgrad, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const adam_element element{optim_record_penalty(record), own[0], own[1], own[2], own[3], own[4], own[5], own[6],
                               amsgrad};
    optim_update(element, w, g, exp_avg, exp_avg_sq, max_exp_avg_sq, n);
}

// ==== adamax_update =========================================================================================
//
// Adamax (AdamaxUpdate.cs): m = fma(1-β₁, g', mβ₁), u = max(uβ₂, |g'| + eps), w = w + (-lr/bc₁)·m/u.
// w, g, m, u = exponentially weighted infinity norm (n).
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, m, u, writes w, m, u: 28 B per element.

struct adamax_element {
    optim_penalty penalty;
    float beta1, one_minus_beta1, beta2, eps, negative_clr;

    __device__ __forceinline__ void operator()(float& w, float g, float& m, float& u, float&) const {
        const float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        m = fmaf(one_minus_beta1, d, __fmul_rn(m, beta1));
        u = optim_max(__fmul_rn(u, beta2), __fadd_rn(fabsf(d), eps));
        w = __fadd_rn(w, __fdiv_rn(__fmul_rn(negative_clr, m), u));
    }
};

extern "C" __global__ void adamax_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                                 float* __restrict__ exp_avg, float* __restrict__ exp_inf, float l1,
                                                 float l2, float decay, float beta1, float one_minus_beta1,
                                                 float beta2, float eps, float negative_clr, int penalize, int n) {
    const adamax_element element{{l1, l2, decay, penalize}, beta1, one_minus_beta1, beta2, eps, negative_clr};
    optim_update(element, w, g, exp_avg, exp_inf, nullptr, n);
}

extern "C" __global__ void adamax_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                    float* __restrict__ exp_avg, float* __restrict__ exp_inf,
                                                    const float* __restrict__ record, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const adamax_element element{optim_record_penalty(record), own[0], own[1], own[2], own[3], own[4]};
    optim_update(element, w, g, exp_avg, exp_inf, nullptr, n);
}

// ==== nadam_update ==========================================================================================
//
// NAdam (NadamUpdate.cs): m = fma(1-β₁, g', mβ₁), v = fma((1-β₂)g', g', vβ₂), r = √(v/bc₂) + eps,
// w = w + c_g·g'/r, then w = w + c_m·m/r, with c_g = -lr(1-μ_t)/(1-Πμ) and c_m = -lr·μ_{t+1}/(1-Πμ·μ_{t+1}) from
// NadamCoefficients. w, g, m, v (n).
// Launch: see "Optimizers family" above (the _controlled entry point reads its floats from the group's record).
// Napkin math: reads w, g, m, v, writes w, m, v: 28 B per element.

struct nadam_element {
    optim_penalty penalty;
    float beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2, eps, gradient_step, average_step;

    __device__ __forceinline__ void operator()(float& w, float g, float& m, float& v, float&) const {
        const float d = optim_penalized(g, w, penalty);
        w = __fmul_rn(w, penalty.decay);
        m = fmaf(one_minus_beta1, d, __fmul_rn(m, beta1));
        v = fmaf(__fmul_rn(one_minus_beta2, d), d, __fmul_rn(v, beta2));
        const float denominator = __fadd_rn(__fsqrt_rn(__fdiv_rn(v, bias_correction2)), eps);
        w = __fadd_rn(w, __fdiv_rn(__fmul_rn(gradient_step, d), denominator));
        w = __fadd_rn(w, __fdiv_rn(__fmul_rn(average_step, m), denominator));
    }
};

extern "C" __global__ void nadam_update_forward(float* __restrict__ w, const float* __restrict__ g,
                                                float* __restrict__ exp_avg, float* __restrict__ exp_avg_sq, float l1,
                                                float l2, float decay, float beta1, float one_minus_beta1, float beta2,
                                                float one_minus_beta2, float bias_correction2, float eps,
                                                float gradient_step, float average_step, int penalize, int n) {
    const nadam_element element{{l1, l2, decay, penalize}, beta1, one_minus_beta1, beta2, one_minus_beta2,
                                bias_correction2, eps, gradient_step, average_step};
    optim_update(element, w, g, exp_avg, exp_avg_sq, nullptr, n);
}

extern "C" __global__ void nadam_update_controlled(float* __restrict__ w, const float* __restrict__ g,
                                                   float* __restrict__ exp_avg, float* __restrict__ exp_avg_sq,
                                                   const float* __restrict__ record, int n) {
    if (record[RECORD_APPLIES] == 0.0f) return;
    const float* own = record + RECORD_OWN;
    const nadam_element element{optim_record_penalty(record), own[0], own[1], own[2], own[3], own[4], own[5], own[6],
                                own[7]};
    optim_update(element, w, g, exp_avg, exp_avg_sq, nullptr, n);
}

// ==== End of the Optimizers family ==========================================================================
// ==== Step control family: begin_step =======================================================================
//
// The device-resident control of a training step (src/Engine/Backend/StepControl.cs; IBackend.BeginStep): the host
// uploads once per epoch the learning rate of every attempt and the powers of every step the epoch can reach, and
// reads the counters once at its end; in between every decision stays on the device.
//   state (doubles): [attempts, step, skipped, table base, μ product, applies, factor, overrun, rate count]
//   plan (doubles, static): [rule, max norm (0: none), eps flag, groups, h0, h1, h2, h3], then [L1, L2, weight decay]
//                           per group; h = SGD (μ, τ), Adagrad (lr decay, eps), Adadelta (ρ, eps), RMSprop (α, eps, μ),
//                           Adam / Adamax / NAdam (β₁, β₂, eps)
//   rates (doubles): lr of attempt i; powers (doubles): 3 per step t = base+1+k: Adam (β₁^t, β₂^t), Adamax (β₁^t),
//                    NAdam (β₂^t, μ_t, μ_{t+1}) — taken from the host's Math.Pow, so the device never computes pow
//   records (floats): RECORD_WIDTH per group (see the Optimizers family)
// begin_step: attempt i = attempts++; a squared norm or loss that is NaN or ±∞ skips the step (skipped++); otherwise
// t = ++step, the clip factor f = max/(√‖g‖² + 1e-6) when √‖g‖² > max (PyTorch's clip_grad_norm_), NAdam's product
// becomes Πμ·μ_t, and each group's record gets the coefficients of UpdateCoefficients.cs at (lr_i, t): the same
// expressions in the same order, in double with __dmul_rn/__dadd_rn/__ddiv_rn/__dsqrt_rn (correctly rounded on both
// sides and never contracted, so the doubles are the host's bits), then rounded to float as the host rounds them.
// A skipped step (or an attempt beyond the uploaded rates: overrun, reported by the host's read) writes applies = 0.
// tests/Cuda/StepControlKernelTests.cs compiles this family for the host and compares it with the CPU's BeginStep.
// Launch: one block of one thread; it runs once per step between the gradient norm and the updates.
// Napkin math: reads 2 floats and about 60 doubles, writes RECORD_WIDTH floats per group: latency-bound (one launch).

static constexpr int STATE_ATTEMPTS = 0, STATE_STEP = 1, STATE_SKIPPED = 2, STATE_TABLE_BASE = 3, STATE_MU_PRODUCT = 4,
                     STATE_APPLIES = 5, STATE_FACTOR = 6, STATE_OVERRUN = 7, STATE_RATE_COUNT = 8;
static constexpr int PLAN_RULE = 0, PLAN_MAX_NORM = 1, PLAN_EPS_FLAG = 2, PLAN_GROUPS = 3, PLAN_HYPER = 4,
                     PLAN_HEADER = 8, PLAN_GROUP_WIDTH = 3, POWERS_PER_STEP = 3;
static constexpr int RULE_SGD = 0, RULE_ADAGRAD = 1, RULE_ADADELTA = 2, RULE_RMSPROP = 3, RULE_ADAM = 4,
                     RULE_ADAMAX = 5, RULE_NADAM = 6;

// NaN and ±∞ fail the comparison; no library call, so every compiler gives the same answer.
static __device__ __forceinline__ bool step_finite(double x) { return __builtin_fabs(x) <= 1.7976931348623157e308; }

static __device__ __forceinline__ float step_flag(bool value) { return value ? 1.0f : 0.0f; }

// The record of a group whose step applies: the header of StepRecord.Header (PenaltyCoefficients.From) and zeros;
// returns where the optimizer's own coefficients go.
static __device__ float* step_record_header(float* record, float factor, double lr, const double* penalties) {
    for (int i = 0; i < RECORD_WIDTH; ++i) record[i] = 0.0f;
    const double l1 = penalties[0], l2 = penalties[1], weight_decay = penalties[2];
    record[RECORD_APPLIES] = 1.0f;
    record[RECORD_FACTOR] = factor;
    record[RECORD_L1] = (float)l1;
    record[RECORD_L2] = (float)l2;
    record[RECORD_DECAY] = (float)__dsub_rn(1.0, __dmul_rn(lr, weight_decay));
    record[RECORD_PENALIZES] = step_flag(l1 != 0.0 || l2 != 0.0);
    return record + RECORD_OWN;
}

// The optimizer's own coefficients at (lr, t), as the …Coefficients.From of UpdateCoefficients.cs compute them.
static __device__ void step_own_coefficients(float* own, int rule, const double* h, bool eps_flag, double lr, double t,
                                             const double* power, double mu_product) {
    switch (rule) {
        case RULE_SGD:
            own[0] = (float)-lr;
            own[1] = (float)h[0];
            own[2] = (float)__dsub_rn(1.0, h[1]);
            own[3] = step_flag(t == 1.0);
            break;
        case RULE_ADAGRAD:
            own[0] = (float)-__ddiv_rn(lr, __dadd_rn(1.0, __dmul_rn(__dsub_rn(t, 1.0), h[0])));
            own[1] = (float)h[1];
            break;
        case RULE_ADADELTA:
            own[0] = (float)h[0];
            own[1] = (float)__dsub_rn(1.0, h[0]);
            own[2] = (float)h[1];
            own[3] = (float)-lr;
            break;
        case RULE_RMSPROP:
            own[0] = (float)h[0];
            own[1] = (float)__dsub_rn(1.0, h[0]);
            own[2] = (float)h[1];
            own[3] = (float)h[2];
            own[4] = (float)-lr;
            break;
        case RULE_ADAM: {
            const double bias_correction1 = __dsub_rn(1.0, power[0]), bias_correction2 = __dsub_rn(1.0, power[1]);
            // Keras' Adam is PyTorch's with eps/√(1 - β₂^t) in place of eps (Adam.cs).
            const double eps = eps_flag ? __ddiv_rn(h[2], __dsqrt_rn(bias_correction2)) : h[2];
            own[0] = (float)h[0];
            own[1] = (float)__dsub_rn(1.0, h[0]);
            own[2] = (float)h[1];
            own[3] = (float)__dsub_rn(1.0, h[1]);
            own[4] = (float)-__ddiv_rn(lr, bias_correction1);
            own[5] = (float)__dsqrt_rn(bias_correction2);
            own[6] = (float)eps;
            break;
        }
        case RULE_ADAMAX:
            own[0] = (float)h[0];
            own[1] = (float)__dsub_rn(1.0, h[0]);
            own[2] = (float)h[1];
            own[3] = (float)h[2];
            own[4] = (float)-__ddiv_rn(lr, __dsub_rn(1.0, power[0]));
            break;
        case RULE_NADAM: {
            const double mu = power[1], mu_next = power[2];
            own[0] = (float)h[0];
            own[1] = (float)__dsub_rn(1.0, h[0]);
            own[2] = (float)h[1];
            own[3] = (float)__dsub_rn(1.0, h[1]);
            own[4] = (float)__dsub_rn(1.0, power[0]);
            own[5] = (float)h[2];
            own[6] = (float)__ddiv_rn(__dmul_rn(-lr, __dsub_rn(1.0, mu)), __dsub_rn(1.0, mu_product));
            own[7] = (float)__ddiv_rn(__dmul_rn(-lr, mu_next), __dsub_rn(1.0, __dmul_rn(mu_product, mu_next)));
            break;
        }
        default:
            break;
    }
}

extern "C" __global__ void begin_step(double* __restrict__ state, const double* __restrict__ plan,
                                      const double* __restrict__ rates, const double* __restrict__ powers,
                                      float* __restrict__ records, const float* __restrict__ squared_norm,
                                      const float* __restrict__ loss) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    const int groups = (int)plan[PLAN_GROUPS];
    const double attempt = state[STATE_ATTEMPTS];
    state[STATE_ATTEMPTS] = attempt + 1.0;
    const double squared = (double)squared_norm[0];
    bool applies = false;
    if (attempt >= state[STATE_RATE_COUNT]) {
        state[STATE_OVERRUN] = 1.0;
    } else if (!step_finite(squared) || !step_finite((double)loss[0])) {
        state[STATE_SKIPPED] = state[STATE_SKIPPED] + 1.0;
    } else {
        applies = true;
    }
    if (!applies) {
        state[STATE_APPLIES] = 0.0;
        for (int g = 0; g < groups; ++g) records[g * RECORD_WIDTH + RECORD_APPLIES] = 0.0f;
        return;
    }
    const double max_norm = plan[PLAN_MAX_NORM], norm = __dsqrt_rn(squared);
    const float factor = max_norm > 0.0 && norm > max_norm ? (float)__ddiv_rn(max_norm, __dadd_rn(norm, 1e-6)) : 1.0f;
    const double t = state[STATE_STEP] + 1.0;
    state[STATE_STEP] = t;
    state[STATE_APPLIES] = 1.0;
    state[STATE_FACTOR] = (double)factor;
    const double lr = rates[(long long)attempt];
    const double* power = powers + POWERS_PER_STEP * (long long)(t - state[STATE_TABLE_BASE] - 1.0);
    const int rule = (int)plan[PLAN_RULE];
    if (rule == RULE_NADAM) state[STATE_MU_PRODUCT] = __dmul_rn(state[STATE_MU_PRODUCT], power[1]);
    const double mu_product = state[STATE_MU_PRODUCT];
    for (int g = 0; g < groups; ++g) {
        float* own = step_record_header(records + g * RECORD_WIDTH, factor, lr, plan + PLAN_HEADER + PLAN_GROUP_WIDTH * g);
        step_own_coefficients(own, rule, plan + PLAN_HYPER, plan[PLAN_EPS_FLAG] != 0.0, lr, t, power, mu_product);
    }
}

// ==== copy_if_skipped =======================================================================================
//
// y[i] = x[i] when the step begin_step last began was skipped (state[STATE_APPLIES] == 0), else nothing — x, y (n),
// float; IBackend.CopyIfSkipped: restores the BatchNorm running statistics a skipped step's forward pass moved.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride, grid sized to fill the device; every thread reads the
// flag (a broadcast load) and the whole grid returns when the step applied.
// Napkin math: 8 bytes per element on a skipped step, 8 bytes in all otherwise; the benchmark divides 8·n bytes by
// the time of a skipped step.

extern "C" __global__ void copy_if_skipped(float* __restrict__ y, const float* __restrict__ x,
                                           const double* __restrict__ state, int n) {
    if (state[STATE_APPLIES] != 0.0) return;
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) y[i] = x[i];
}

// ==== End of the Step control family ========================================================================
// ==== Dense family: shared helpers =========================================================================
//
// The activation formulas of src/Engine.Cpu/Dense/ActivationFunctions.cs (same forms, same branches, so the same
// special values: ReLU'(0) = 0, LeakyReLU'(0) = α, ELU'(0) = α, NaN propagating, GELU's limits at huge |x|), used
// by activation_forward/_backward and by the GEMM epilogue, and the float transcendentals they need. No libdevice
// here (-nocudalib), and __expf (ex2.approx of x·log2 e) loses about |x|·2^-24 of relative accuracy to the rounding
// of that product — 5e-6 at x = -88, beyond the elementwise parity tolerance — so exp, expm1 and tanh are the
// Cephes single-precision algorithms, about 1 ulp: a few ulps from .NET's MathF, inside Tolerance.

// The numbers of CudaNet.ActivationKind (src/Engine/Backend/Activation.cs): the launchers pass (int)Kind, and
// DenseKernelTests checks that the two lists agree.
enum dense_activation_kind {
    ACTIVATION_IDENTITY = 0,
    ACTIVATION_RELU = 1,
    ACTIVATION_LEAKYRELU = 2,
    ACTIVATION_SIGMOID = 3,
    ACTIVATION_TANH = 4,
    ACTIVATION_ELU = 5,
    ACTIVATION_GELU = 6,
};

// 2^k for k in [-126, 127], built from its exponent bits (a union: the one type pun both nvcc and clang accept
// without the SDK's __int_as_float).
static __device__ __forceinline__ float dense_pow2(int k) {
    union {
        unsigned int bits;
        float value;
    } pun;
    pun.bits = (unsigned int)(k + 127) << 23;
    return pun.value;
}

// e^x (Cephes expf): x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite, ln2 split in two so n·ln2 is exact), a degree-7
// polynomial for e^r, then 2^n as two exact factors in the normal range so that a subnormal result is rounded
// once. e^NaN = NaN, e^-∞ = 0, e^+∞ = +∞; outside [-104, 89] the result is 0 or +∞ anyway.
static __device__ float dense_expf(float x) {
    if (x != x) return x;
    if (x > 89.0f) return __builtin_huge_valf();
    if (x < -104.0f) return 0.0f;
    // Adding 1.5·2^23 rounds x·log2(e) to the nearest integer (|x·log2 e| < 2^22 here).
    const float n = fmaf(x, 1.44269504088896341f, 12582912.0f) - 12582912.0f;
    float r = fmaf(n, -0.693359375f, x);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = 1.9875691500e-4f;
    p = fmaf(p, r, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    const float er = fmaf(p, r * r, r) + 1.0f;
    const int k = (int)n, half = k / 2;  // k in [-150, 128]: both factors stay within [-75, 64]
    return er * dense_pow2(half) * dense_pow2(k - half);
}

// e^x - 1, accurate near 0 where e^x - 1 cancels: the Taylor series to x^9/9! on (-0.5, 0.5) (the first omitted
// term is below 2^-28 of the result), e^x - 1 outside (at most 1.5× the error of e^x there).
static __device__ float dense_expm1f(float x) {
    if (x > -0.5f && x < 0.5f) {
        float p = 2.75573192e-6f;
        p = fmaf(p, x, 2.48015873e-5f);
        p = fmaf(p, x, 1.98412698e-4f);
        p = fmaf(p, x, 1.38888889e-3f);
        p = fmaf(p, x, 8.33333333e-3f);
        p = fmaf(p, x, 4.16666667e-2f);
        p = fmaf(p, x, 1.66666667e-1f);
        p = fmaf(p, x, 0.5f);
        return fmaf(p, x * x, x);
    }
    return dense_expf(x) - 1.0f;
}

// tanh(x) (Cephes tanhf): an odd polynomial below 0.625, 1 - 2/(e^2|x| + 1) with the sign of x above (±1 once
// e^2|x| overflows); NaN propagates.
static __device__ float dense_tanhf(float x) {
    const float z = x < 0.0f ? -x : x;
    if (z >= 0.625f) {
        const float t = 1.0f - 2.0f / (dense_expf(z + z) + 1.0f);
        return x < 0.0f ? -t : t;
    }
    const float s = x * x;
    float p = -5.70498872745e-3f;
    p = fmaf(p, s, 2.06390887954e-2f);
    p = fmaf(p, s, -5.37397155531e-2f);
    p = fmaf(p, s, 1.33314422036e-1f);
    p = fmaf(p, s, -3.33332819422e-1f);
    return fmaf(p * s, x, x);
}

// σ(x) without overflow, SigmoidFunction.Sigmoid's form: e = e^-|x| ≤ 1, σ = 1/(1+e) for x ≥ 0, e/(1+e) below.
static __device__ __forceinline__ float dense_sigmoid(float x) {
    const float e = dense_expf(x < 0.0f ? x : -x);
    return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

// GELU (tanh form) as GeluFunction: x·σ(2u), u = √(2/π)(x + 0.044715x³); 1.5957691216057308 = 2√(2/π),
// rounded to float as the CPU rounds it.
static __device__ __forceinline__ float dense_gelu_forward(float x) {
    return x * dense_sigmoid(1.5957691216057308f * (x + 0.044715f * x * x * x));
}

// GeluFunction.Backward: dy·(σ(v) + x·σ(v)σ(-v)·v'), the second term taken as 0 where σ(v)σ(-v) underflows, so huge
// |x| gives the limits 1 and 0 instead of 0·∞.
static __device__ __forceinline__ float dense_gelu_backward(float dy, float x) {
    const float v = 1.5957691216057308f * (x + 0.044715f * x * x * x);
    const float e = dense_expf(v < 0.0f ? v : -v), positive = 1.0f / (1.0f + e);
    const float s = v >= 0.0f ? positive : e * positive;
    const float sPrime = e * positive * positive;
    const float dv = 1.5957691216057308f * (1.0f + 0.134145f * x * x);
    return dy * (sPrime == 0.0f ? s : s + x * sPrime * dv);
}

// y = act(x) for the kind (a launch-wide constant, so the switch does not diverge).
static __device__ __forceinline__ float dense_activation_forward(float x, int kind, float alpha) {
    switch (kind) {
        case ACTIVATION_RELU: return x > 0.0f || x != x ? x : 0.0f;  // max(x, 0) with NaN propagating
        case ACTIVATION_LEAKYRELU: return x > 0.0f ? x : alpha * x;
        case ACTIVATION_SIGMOID: return dense_sigmoid(x);
        case ACTIVATION_TANH: return dense_tanhf(x);
        case ACTIVATION_ELU: return x > 0.0f ? x : alpha * dense_expm1f(x);
        case ACTIVATION_GELU: return dense_gelu_forward(x);
        default: return x;
    }
}

// dx = dy·act'(x), given x and y = act(x); each kind uses the one the CPU uses (sigmoid and tanh: y; others: x).
static __device__ __forceinline__ float dense_activation_backward(float dy, float x, float y, int kind, float alpha) {
    switch (kind) {
        case ACTIVATION_RELU: return x <= 0.0f ? 0.0f : dy;
        case ACTIVATION_LEAKYRELU: return x > 0.0f ? dy : alpha * dy;
        case ACTIVATION_SIGMOID: return dy * y * (1.0f - y);
        case ACTIVATION_TANH: return dy * (1.0f - y * y);
        case ACTIVATION_ELU: return x <= 0.0f ? dy * alpha * dense_expf(x) : dy;
        case ACTIVATION_GELU: return dense_gelu_backward(dy, x);
        default: return dy;
    }
}

// ==== gemm ==================================================================================================
//
// C = act(α·op(A)·op(B) + β·C + bias) — op(A) (M,K), op(B) (K,N), C (M,N), bias (N) or null; op(X) = Xᵀ when its
// flag is set, so A is stored (M,K) or (K,M) and B (K,N) or (N,K), all row-major and dense; IBackend.Gemm. β = 0
// never reads C (NaN there is ignored, as in BLAS); K = 0 gives act(β·C + bias). The epilogue runs in the order
// of the CPU reference: α·sum, + β·C, + bias, then the activation.
// Launch: one templated body (gemm_tile, siboehm/SGEMM_CUDA's warp tiling, CUTLASS SIMT's layout) in three
// configurations of BM×BN C tiles, each with a scalar-load and a float4-load (_float4) entry point:
//   gemm_forward_128x128[_float4]  256 threads, K-tiles of 8,  warp tile 64×32, 8×8 accumulators per thread
//   gemm_forward_64x64[_float4]    256 threads, K-tiles of 16, warp tile 32×16, 4×4 per thread
//   gemm_forward_32x32[_float4]    128 threads, K-tiles of 64, warp tile 32×8,  4×2 per thread
// GemmConfiguration.For picks the largest tile whose grid still gives every SM a block (a 128×512 C has 4 tiles of
// 128×128 but 64 of 32×32), and the launcher the _float4 variant when A and B are 16-byte aligned with rows of a
// multiple of 4 floats. The 32×32 tile is for C too small to fill the device with any tile: one block per SM then
// waits on each K-tile's global loads, so its K-tiles are long (64) for that latency to hide behind more fma.
// A 1-D grid of ceil(M / BM)·ceil(N / BN) blocks (at most M·N, within the 2^31 - 1 limit of grid x, where a 2-D
// grid's y would stop at 65535 tiles): block b computes tile (b mod row tiles, b div row tiles), so consecutive
// blocks walk down C and share the same B slice in L2.
// Per K-tile a block stages op(A)'s BM×BK and op(B)'s BK×BN slice k-major in shared memory (zeros outside the
// matrices, so any M, N, K works), in two stages: the next K-tile's global loads are issued into registers before
// the current one is computed and stored to the other stage after it, so their latency overlaps the fma. The lanes
// of a warp form an 8×4 grid over its warp tile; a thread's TM×TN accumulators are runs of up to 4 consecutive rows
// and columns (one shared load per run per k), spaced 8 and 4 runs apart. Every element of C sums its K products
// in increasing k with fma in one thread, K unsplit, so results are deterministic.
// Napkin math: 2·M·N·K FLOPs (the benchmark's figure); bytes 4·(M·K + K·N + M·N), plus M·N more with β ≠ 0 —
// compute-bound once M, N and K are in the hundreds. A 128×128 tile loads 2·128 floats per k for 2·128·128 FLOPs
// (128 FLOPs per float from L2, 32 per byte); per k a thread does 4 float4 shared reads for 64 fma.

// The epilogue's activation as a call: inlined into all TM·TN unrolled stores, the exp-based kinds would make the
// kernel several times larger than its K loop (instruction-cache misses for nothing).
static __device__ __attribute__((noinline)) float gemm_epilogue_activation(float x, int kind, float alpha) {
    return dense_activation_forward(x, kind, alpha);
}

// Four consecutive floats of a stored row, `valid` of them inside the matrix (0 outside its rows), zeros beyond. The
// float4 instantiation runs only on rows whose length is a multiple of 4 from a 16-byte aligned base, where a quad
// that starts inside a row ends inside it (valid is 0 or 4) and is one aligned 16-byte load.
template <bool Vectorized>
static __device__ __forceinline__ float_quad gemm_load_quad(const float* __restrict__ X, long long offset, int valid) {
    float_quad q = {{0.0f, 0.0f, 0.0f, 0.0f}};
    if (Vectorized) {
        if (valid > 0) q = *reinterpret_cast<const float_quad*>(X + offset);
    } else {
#pragma unroll
        for (int j = 0; j < 4; j++) {
            if (j < valid) q.lane[j] = X[offset + j];
        }
    }
    return q;
}

// Quad `e` of one K-tile of an operand: the tile spans OUTER (BM or BN) of the operand's outerSize (M or N) from
// outer0, and BK of K from k0. A quad runs along the stored row: along k (`alongK`) for A stored (M,K) and B stored
// (N,K), along M or N for the transposed storage. Returns the quad, and in p, i where it goes in the k-major stage.
template <int BK, int OUTER, bool Vectorized>
static __device__ __forceinline__ float_quad gemm_fetch_quad(const float* __restrict__ X, int e, bool alongK,
                                                             int outer0, int outerSize, int k0, int K, int& p, int& i) {
    if (alongK) {
        i = e / (BK / 4);
        p = (e % (BK / 4)) * 4;
    } else {
        p = e / (OUTER / 4);
        i = (e % (OUTER / 4)) * 4;
    }
    const int outer = outer0 + i, depth = k0 + p;
    if (outer >= outerSize || depth >= K) return gemm_load_quad<Vectorized>(X, 0, 0);
    if (alongK) return gemm_load_quad<Vectorized>(X, (long long)outer * K + depth, K - depth < 4 ? K - depth : 4);
    return gemm_load_quad<Vectorized>(X, (long long)depth * outerSize + outer,
                                      outerSize - outer < 4 ? outerSize - outer : 4);
}

// Writes a fetched quad into the k-major stage: four k-rows of one column when it ran along k, else four
// consecutive columns of one k-row (one 16-byte store).
template <int STRIDE>
static __device__ __forceinline__ void gemm_stage_quad(float* stage, const float_quad& q, bool alongK, int p, int i) {
    if (alongK) {
#pragma unroll
        for (int j = 0; j < 4; j++) stage[(p + j) * STRIDE + i] = q.lane[j];
    } else {
        *reinterpret_cast<float_quad*>(stage + p * STRIDE + i) = q;
    }
}

// WIDTH consecutive floats of a stage row, read as one 4·WIDTH-byte shared load.
template <int WIDTH>
struct alignas(4 * WIDTH) gemm_run {
    float lane[WIDTH];
};

template <int BM, int BN, int BK, int WM, int WN, int TM, int TN, bool Vectorized>
static __device__ __forceinline__ void gemm_tile(float* C, const float* __restrict__ A, const float* __restrict__ B,
                                                 const float* bias, int M, int N, int K, int transA, int transB,
                                                 float alpha, float beta, int kind, float activationAlpha) {
    constexpr int WARPS_N = BN / WN, THREADS = (BM / WM) * WARPS_N * 32;
    // A thread's rows come in ITER_M runs of SUB_M consecutive ones (one shared read each), its columns likewise.
    constexpr int SUB_M = TM < 4 ? TM : 4, SUB_N = TN < 4 ? TN : 4, ITER_M = TM / SUB_M, ITER_N = TN / SUB_N;
    static_assert(BM % WM == 0 && BN % WN == 0, "the warp tiles cover the block tile exactly");
    static_assert(WM == 8 * TM && WN == 4 * TN, "the lanes of a warp form an 8×4 grid over its warp tile");
    static_assert((SUB_M == 1 || SUB_M == 2 || SUB_M == 4) && (SUB_N == 1 || SUB_N == 2 || SUB_N == 4) &&
                      TM % SUB_M == 0 && TN % SUB_N == 0,
                  "runs of 1, 2 or 4 floats are one aligned shared load; per k the 8 lane rows then read 8·SUB_M ≤ 32 "
                  "consecutive floats of an As row and the 4 lane columns 4·SUB_N of a Bs row, each run broadcast to "
                  "its lanes, so both reads are conflict-free");
    static_assert(TM * TN <= 64,
                  "at most 64 accumulators, so with the fragments and the prefetched quads a thread stays well under "
                  "the 255-register limit, where ptxas would spill to local memory");
    static_assert(THREADS <= 1024, "a block holds at most 1024 threads");
    static_assert(BK % 4 == 0 && BM % 32 == 0 && BN % 32 == 0,
                  "tiles load as quads along either dimension, and a stage row of BM or BN plus the 4-float pad "
                  "starts 4 banks after the previous one");
    static_assert((BM * BK / 4) % THREADS == 0 && (BK * BN / 4) % THREADS == 0,
                  "every thread loads the same number of quads per K-tile: no bound check in the load loop");
    // Rows padded by 4 floats: quad reads stay 16-byte aligned, and the k-wise stores of a quad that ran along k
    // land the 4-row groups of a warp in different banks.
    constexpr int A_STRIDE = BM + 4, B_STRIDE = BN + 4;
    constexpr int A_QUADS = BM * BK / 4 / THREADS, B_QUADS = BK * BN / 4 / THREADS;
    static_assert(2 * BK * (A_STRIDE + B_STRIDE) * 4 <= 48 * 1024, "static shared memory is limited to 48 KiB");

    alignas(16) __shared__ float As[2][BK * A_STRIDE];
    alignas(16) __shared__ float Bs[2][BK * B_STRIDE];

    const int t = threadIdx.x, lane = t % 32, warp = t / 32;
    const int rowTiles = M / BM + (M % BM != 0 ? 1 : 0);
    const int m0 = (int)(blockIdx.x % rowTiles) * BM, n0 = (int)(blockIdx.x / rowTiles) * BN;
    // The thread's first row and column inside the block tile.
    const int r0 = (warp / WARPS_N) * WM + (lane / 4) * SUB_M, c0 = (warp % WARPS_N) * WN + (lane % 4) * SUB_N;
    // Quads run along k where the stored rows do: A stored (M,K), B stored (N,K).
    const bool aAlongK = transA == 0, bAlongK = transB != 0;

    float acc[TM][TN];
#pragma unroll
    for (int r = 0; r < TM; r++) {
#pragma unroll
        for (int c = 0; c < TN; c++) acc[r][c] = 0.0f;
    }

    float_quad aNext[A_QUADS], bNext[B_QUADS];
    int aP[A_QUADS], aI[A_QUADS], bP[B_QUADS], bI[B_QUADS];
    auto fetch = [&](int k0) {
#pragma unroll
        for (int s = 0; s < A_QUADS; s++)
            aNext[s] = gemm_fetch_quad<BK, BM, Vectorized>(A, t + s * THREADS, aAlongK, m0, M, k0, K, aP[s], aI[s]);
#pragma unroll
        for (int s = 0; s < B_QUADS; s++)
            bNext[s] = gemm_fetch_quad<BK, BN, Vectorized>(B, t + s * THREADS, bAlongK, n0, N, k0, K, bP[s], bI[s]);
    };
    auto stage = [&](int buffer) {
#pragma unroll
        for (int s = 0; s < A_QUADS; s++) gemm_stage_quad<A_STRIDE>(As[buffer], aNext[s], aAlongK, aP[s], aI[s]);
#pragma unroll
        for (int s = 0; s < B_QUADS; s++) gemm_stage_quad<B_STRIDE>(Bs[buffer], bNext[s], bAlongK, bP[s], bI[s]);
    };

    // K / BK rounded up without forming K + BK - 1 (K may be near 2^31).
    const int tiles = K / BK + (K % BK != 0 ? 1 : 0);
    if (tiles > 0) {
        fetch(0);
        stage(0);
    }
    __syncthreads();
    for (int tile = 0; tile < tiles; tile++) {
        const int buffer = tile % 2;
        const bool more = tile + 1 < tiles;
        if (more) fetch((tile + 1) * BK);
        const float* as = As[buffer];
        const float* bs = Bs[buffer];
#pragma unroll
        for (int p = 0; p < BK; p++) {
            float a[TM], b[TN];
#pragma unroll
            for (int im = 0; im < ITER_M; im++) {
                const auto run = *reinterpret_cast<const gemm_run<SUB_M>*>(as + p * A_STRIDE + r0 + im * 8 * SUB_M);
#pragma unroll
                for (int j = 0; j < SUB_M; j++) a[im * SUB_M + j] = run.lane[j];
            }
#pragma unroll
            for (int in = 0; in < ITER_N; in++) {
                const auto run = *reinterpret_cast<const gemm_run<SUB_N>*>(bs + p * B_STRIDE + c0 + in * 4 * SUB_N);
#pragma unroll
                for (int j = 0; j < SUB_N; j++) b[in * SUB_N + j] = run.lane[j];
            }
#pragma unroll
            for (int r = 0; r < TM; r++) {
#pragma unroll
                for (int c = 0; c < TN; c++) acc[r][c] = fmaf(a[r], b[c], acc[r][c]);
            }
        }
        // The other stage was last read before the previous barrier, so it can be overwritten now; one barrier per
        // K-tile then orders both this store before the next tile's reads and this tile's reads before its reuse.
        if (more) stage(1 - buffer);
        __syncthreads();
    }

#pragma unroll
    for (int r = 0; r < TM; r++) {
        const int row = m0 + r0 + (r / SUB_M) * 8 * SUB_M + r % SUB_M;
        if (row >= M) continue;
#pragma unroll
        for (int c = 0; c < TN; c++) {
            const int column = n0 + c0 + (c / SUB_N) * 4 * SUB_N + c % SUB_N;
            if (column >= N) continue;
            const long long index = (long long)row * N + column;
            float value = alpha * acc[r][c];
            if (beta != 0.0f) value += beta * C[index];
            if (bias != nullptr) value += bias[column];
            C[index] = kind == ACTIVATION_IDENTITY ? value : gemm_epilogue_activation(value, kind, activationAlpha);
        }
    }
}

// The entry points: <BM, BN, BK, WM, WN, TM, TN, float4 loads>, the configurations of GemmConfiguration.All
// (DenseKernelTests reads the template arguments here). The launch bound is the block size only: a minimum of two
// blocks per SM would cap 128×128's threads at 128 registers, about what its 64 accumulators, fragments and
// prefetched quads need, and a spill in the K loop costs more than the occupancy gains.

#define GEMM_PARAMETERS                                                                                           \
    float *C, const float *__restrict__ A, const float *__restrict__ B, const float *bias, int M, int N, int K,    \
        int transA, int transB, float alpha, float beta, int kind, float activationAlpha
#define GEMM_ARGUMENTS C, A, B, bias, M, N, K, transA, transB, alpha, beta, kind, activationAlpha

extern "C" __global__ void __launch_bounds__(256) gemm_forward_128x128(GEMM_PARAMETERS) {
    gemm_tile<128, 128, 8, 64, 32, 8, 8, false>(GEMM_ARGUMENTS);
}
extern "C" __global__ void __launch_bounds__(256) gemm_forward_128x128_float4(GEMM_PARAMETERS) {
    gemm_tile<128, 128, 8, 64, 32, 8, 8, true>(GEMM_ARGUMENTS);
}
extern "C" __global__ void __launch_bounds__(256) gemm_forward_64x64(GEMM_PARAMETERS) {
    gemm_tile<64, 64, 16, 32, 16, 4, 4, false>(GEMM_ARGUMENTS);
}
extern "C" __global__ void __launch_bounds__(256) gemm_forward_64x64_float4(GEMM_PARAMETERS) {
    gemm_tile<64, 64, 16, 32, 16, 4, 4, true>(GEMM_ARGUMENTS);
}
extern "C" __global__ void __launch_bounds__(128) gemm_forward_32x32(GEMM_PARAMETERS) {
    gemm_tile<32, 32, 64, 32, 8, 4, 2, false>(GEMM_ARGUMENTS);
}
extern "C" __global__ void __launch_bounds__(128) gemm_forward_32x32_float4(GEMM_PARAMETERS) {
    gemm_tile<32, 32, 64, 32, 8, 4, 2, true>(GEMM_ARGUMENTS);
}

#undef GEMM_PARAMETERS
#undef GEMM_ARGUMENTS

// ==== gemm_tf32 =============================================================================================
//
// C = act(α·op(A)·op(B) + β·C + bias) on the tensor cores in TF32 — the contract of gemm_forward (shapes, all four
// transposes, any M, N, K ≥ 0, β = 0 never reads C, the epilogue order α·sum, + β·C, + bias, activation), except
// that every element of op(A) and op(B) is first rounded to TF32 (cvt.rna: 10 mantissa bits, to nearest, ties
// away from zero); products of TF32 values are exact in float and are summed in float32. CudaBackend runs it only
// when GemmPrecision is Tf32 (DESIGN.md §4: never silently), and only the sm_80 module has it (mma.sync with tf32
// and cp.async need compute capability 8.0).
// Launch: blocks of TF32_THREADS = 256 threads (8 warps); a 1-D grid of ceil(M / 128)·ceil(N / 128) blocks, block b
// computing tile (b mod row tiles, b div row tiles) as in gemm_forward. Per K-tile of 16 the block stages the
// 128×16 slice of op(A) and of op(B)ᵀ in shared memory, TF32_STAGES = 3 tiles in flight: while the warps multiply
// one tile, cp.async (16 bytes per copy, when asyncCopy says every row start is 16-byte aligned) fills the next two;
// otherwise plain loads fill them. Each operand is staged in the layout of its global rows — k-contiguous [128][16]
// or row-contiguous [16][128] — so each copy moves 4 consecutive floats, and an XOR swizzle of those groups makes
// the fragment reads conflict-free in either layout (a warp reads 8 rows × 4 k: 32 distinct banks).
// Warp w owns the 64×32 warp tile (w mod 2, w div 2): 4×4 mma.m16n8k8 tiles, 64 accumulators per thread.
// Napkin math: 2·M·N·K FLOPs (the benchmark's figure); bytes 4·(M·K + K·N + M·N), plus M·N more with β ≠ 0. Each
// K-tile stages 2·128·16 floats for 2·128·128·16 FLOPs: 128 FLOPs per float from L2/DRAM (twice gemm_forward's),
// and per k8 step a warp issues 16 mma (2·16·8·8 FLOPs each) for 24 shared loads and 24 cvt per thread.

#if (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800) || defined(CUDANET_TF32_HOST_EMULATION)

constexpr int TF32_TILE_M = 128, TF32_TILE_N = 128, TF32_TILE_K = 16, TF32_WARP_M = 64, TF32_WARP_N = 32;
constexpr int TF32_STAGES = 3;
// Floats of shared memory per stage: the op(A) tile, then the op(B)ᵀ tile.
constexpr int TF32_STAGE_FLOATS = (TF32_TILE_M + TF32_TILE_N) * TF32_TILE_K;
constexpr int TF32_THREADS = (TF32_TILE_M / TF32_WARP_M) * (TF32_TILE_N / TF32_WARP_N) * 32;

// The five PTX instructions of this section, each in a wrapper the host harness (tests/Cuda/Tf32GemmHostHarness.cpp)
// replaces with an emulation of its PTX semantics.
#ifndef CUDANET_TF32_HOST_EMULATION

// x rounded to TF32 (to nearest, ties away from zero), as the .b32 register mma.sync takes.
static __device__ __forceinline__ unsigned int tf32_round(float x) {
    unsigned int bits;
    asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(bits) : "f"(x));
    return bits;
}

// d = a·b + c for one 16×8×8 tile, warp-collective; fragments in the PTX ISA layout (section comment of gemm_tf32).
static __device__ __forceinline__ void mma_m16n8k8_tf32(float (&d)[4], const unsigned int (&a)[4],
                                                         const unsigned int (&b)[2]) {
    asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
                 "{%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// 16 bytes from global to shared, bypassing L1 (.cg: each byte is read once per block); both addresses 16-aligned.
static __device__ __forceinline__ void cp_async16(float* shared, const float* global) {
    asm volatile("{\n\t.reg .u64 s, g;\n\tcvta.to.shared.u64 s, %0;\n\tcvta.to.global.u64 g, %1;\n\t"
                 "cp.async.cg.shared.global [s], [g], 16;\n\t}"
                 :
                 : "l"(shared), "l"(global)
                 : "memory");
}

static __device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }

// Waits until at most PENDING of this thread's committed groups are still in flight.
template <int PENDING>
static __device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;" ::"n"(PENDING) : "memory");
}

#endif

// One operand tile in shared memory: ROWS rows of op(A) (or of op(B)ᵀ) by TF32_TILE_K, stored k-contiguous
// [ROWS][K] when the global rows run along k (A, or Bᵀ stored (N, K)), else row-contiguous [K][ROWS], without padding
// (3 stages of both operands fill the 48 KiB of static shared memory exactly) but swizzled: the groups of 4 floats a
// cp.async writes move within their row of the tile, by an XOR with a key that differs across the 8 rows (or the 4
// k) one fragment read spans, so that its 8 rows × 4 k across a warp hit 32 distinct banks.
template <int ROWS, bool K_CONTIGUOUS>
struct tf32_tile {
    static constexpr int FLOATS = ROWS * TF32_TILE_K;
    static_assert(TF32_TILE_K == 16, "k-contiguous: a row is 4 groups, 2 rows per 32 banks, so rows 2r and 2r + 1 "
                                     "pair up and the key (row / 2) mod 4 spreads 8 rows over all 8 group slots");
    static_assert(ROWS % 32 == 0, "row-contiguous: a k row is whole 32-bank lines, so the key 2·(k mod 4) moves the 2 "
                                  "groups of 8 rows to 8 distinct slots and stays within the row");
    static __device__ __forceinline__ int at(int row, int k) {
        return K_CONTIGUOUS ? row * TF32_TILE_K + 4 * ((k / 4) ^ ((row / 2) % 4)) + k % 4
                            : k * ROWS + 4 * ((row / 4) ^ (2 * (k % 4))) + row % 4;
    }
};

// Stages rows [row0, row0 + ROWS) × depths [k0, k0 + TF32_TILE_K) of an operand whose element (row, k) is
// X[row·ld + k] (K_CONTIGUOUS) or X[k·ld + row], zeros outside rows × depth. With async every group of 4 along the
// contiguous dimension is one cp.async (the launcher has checked that X and ld keep each group 16-byte aligned, so
// a group lies wholly inside or outside the matrix); without, 4 plain loads.
template <int ROWS, bool K_CONTIGUOUS>
static __device__ __forceinline__ void tf32_stage(float* tile, const float* __restrict__ X, long long ld, int rows,
                                                  int depth, int row0, int k0, bool async) {
    using T = tf32_tile<ROWS, K_CONTIGUOUS>;
    constexpr int GROUPS = ROWS * TF32_TILE_K / 4, ALONG = (K_CONTIGUOUS ? TF32_TILE_K : ROWS) / 4;
    static_assert(GROUPS % TF32_THREADS == 0, "every thread copies the same number of groups: no bound on the loop");
#pragma unroll
    for (int s = 0; s < GROUPS / TF32_THREADS; s++) {
        const int group = (int)threadIdx.x + s * TF32_THREADS;
        const int across = group / ALONG, along = 4 * (group % ALONG);
        const int row = K_CONTIGUOUS ? across : along, k = K_CONTIGUOUS ? along : across;
        float* target = tile + T::at(row, k);
        const int outer = K_CONTIGUOUS ? row0 + row : k0 + k, inner = K_CONTIGUOUS ? k0 + k : row0 + row;
        const int outerLimit = K_CONTIGUOUS ? rows : depth, innerLimit = K_CONTIGUOUS ? depth : rows;
        const float* source = X + outer * ld + inner;
        if (async && outer < outerLimit && inner < innerLimit) {
            cp_async16(target, source);
            continue;
        }
#pragma unroll
        for (int e = 0; e < 4; e++) {
            const float value = outer < outerLimit && inner + e < innerLimit ? source[e] : 0.0f;
            target[e] = value;
        }
    }
}

// One block's 128×128 tile of C. TRANS_A / TRANS_B pick the staging layouts at compile time, so the fragment reads
// of the K loop are constant shared offsets; async (uniform across the grid) picks cp.async or plain loads per copy
// group, which costs a predicted branch where a fourth template parameter would double the PTX. stages is the
// entry's one shared buffer: a __shared__ array here would be one per instantiation, all four allocated at once.
template <bool TRANS_A, bool TRANS_B>
static __device__ __forceinline__ void gemm_tf32_block_tile(float* C, const float* __restrict__ A,
                                                           const float* __restrict__ B, const float* bias, int M,
                                                           int N, int K, float alpha, float beta, int kind,
                                                           float activationAlpha, bool async, float* stages) {
    constexpr int BM = TF32_TILE_M, BN = TF32_TILE_N, BK = TF32_TILE_K, WM = TF32_WARP_M, WN = TF32_WARP_N;
    constexpr int MMA_M = WM / 16, MMA_N = WN / 8, WARPS_M = BM / WM;
    using TileA = tf32_tile<BM, !TRANS_A>;
    using TileB = tf32_tile<BN, TRANS_B>;
    static_assert(BM % WM == 0 && BN % WN == 0 && WM % 16 == 0 && WN % 8 == 0,
                  "warp tiles cover the block tile in whole m16n8 mma tiles");
    static_assert(BK % 8 == 0 && BK % 4 == 0, "a K-tile is whole k8 mma steps and whole 16-byte copy groups");
    static_assert(TF32_THREADS % 32 == 0 && TF32_THREADS <= 1024, "a block of whole warps, within 1024 threads");
    static_assert(TF32_STAGES >= 3, "tiles + 1 and + 2 are copied while tile is multiplied and tile - 1's stage is "
                                    "refilled, which one barrier per K-tile allows only with a third stage");
    static_assert(TileA::FLOATS + TileB::FLOATS == TF32_STAGE_FLOATS, "a stage holds one tile of each operand");
    const auto tileA = [&](int stage) { return stages + stage * TF32_STAGE_FLOATS; };
    const auto tileB = [&](int stage) { return stages + stage * TF32_STAGE_FLOATS + TileA::FLOATS; };

    const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
    const int group = lane / 4, member = lane % 4;  // the PTX ISA's groupID and threadID_in_group
    const int warpRow = (warp % WARPS_M) * WM, warpColumn = (warp / WARPS_M) * WN;
    const int rowTiles = M / BM + (M % BM != 0 ? 1 : 0);
    const int m0 = (int)(blockIdx.x % rowTiles) * BM, n0 = (int)(blockIdx.x / rowTiles) * BN;
    const long long ldA = TRANS_A ? M : K, ldB = TRANS_B ? K : N;

    float acc[MMA_M][MMA_N][4];
#pragma unroll
    for (int i = 0; i < MMA_M; i++) {
#pragma unroll
        for (int j = 0; j < MMA_N; j++) {
#pragma unroll
            for (int r = 0; r < 4; r++) acc[i][j][r] = 0.0f;
        }
    }

    // K / BK rounded up without forming K + BK - 1 (K may be near 2^31).
    const int tiles = K / BK + (K % BK != 0 ? 1 : 0);
    // The first STAGES - 1 tiles, one commit group each (empty past the last tile, so the wait count stays fixed).
#pragma unroll
    for (int s = 0; s < TF32_STAGES - 1; s++) {
        if (s < tiles) {
            tf32_stage<BM, !TRANS_A>(tileA(s), A, ldA, M, K, m0, s * BK, async);
            tf32_stage<BN, TRANS_B>(tileB(s), B, ldB, N, K, n0, s * BK, async);
        }
        cp_async_commit();
    }
    for (int tile = 0; tile < tiles; tile++) {
        cp_async_wait<TF32_STAGES - 2>();  // this thread's copies of `tile` have landed …
        __syncthreads();  // … and everyone's (plain stores as well), and every warp is done multiplying tile - 1
        // Refill the stage of tile - 1, which the barrier has just freed: one barrier per K-tile.
        const int next = tile + TF32_STAGES - 1, slot = next % TF32_STAGES;
        if (next < tiles) {
            tf32_stage<BM, !TRANS_A>(tileA(slot), A, ldA, M, K, m0, next * BK, async);
            tf32_stage<BN, TRANS_B>(tileB(slot), B, ldB, N, K, n0, next * BK, async);
        }
        cp_async_commit();
        const float* a = tileA(tile % TF32_STAGES);
        const float* b = tileB(tile % TF32_STAGES);
#pragma unroll
        for (int k = 0; k < BK; k += 8) {
            unsigned int fa[MMA_M][4], fb[MMA_N][2];
#pragma unroll
            for (int i = 0; i < MMA_M; i++) {
                const int row = warpRow + 16 * i + group;
                fa[i][0] = tf32_round(a[TileA::at(row, k + member)]);
                fa[i][1] = tf32_round(a[TileA::at(row + 8, k + member)]);
                fa[i][2] = tf32_round(a[TileA::at(row, k + member + 4)]);
                fa[i][3] = tf32_round(a[TileA::at(row + 8, k + member + 4)]);
            }
#pragma unroll
            for (int j = 0; j < MMA_N; j++) {
                const int column = warpColumn + 8 * j + group;
                fb[j][0] = tf32_round(b[TileB::at(column, k + member)]);
                fb[j][1] = tf32_round(b[TileB::at(column, k + member + 4)]);
            }
#pragma unroll
            for (int i = 0; i < MMA_M; i++) {
#pragma unroll
                for (int j = 0; j < MMA_N; j++) mma_m16n8k8_tf32(acc[i][j], fa[i], fb[j]);
            }
        }
    }

    // Accumulator r of mma tile (i, j) is C element (group + 8·(r / 2), 2·member + r % 2) of that tile.
#pragma unroll
    for (int i = 0; i < MMA_M; i++) {
#pragma unroll
        for (int j = 0; j < MMA_N; j++) {
#pragma unroll
            for (int r = 0; r < 4; r++) {
                const int row = m0 + warpRow + 16 * i + group + 8 * (r / 2);
                const int column = n0 + warpColumn + 8 * j + 2 * member + r % 2;
                if (row >= M || column >= N) continue;
                const long long index = (long long)row * N + column;
                float value = alpha * acc[i][j][r];
                if (beta != 0.0f) value += beta * C[index];
                if (bias != nullptr) value += bias[column];
                C[index] = kind == ACTIVATION_IDENTITY ? value : gemm_epilogue_activation(value, kind, activationAlpha);
            }
        }
    }
}

// asyncCopy ≠ 0 promises that A and B are 16-byte aligned and that their row lengths (K or M for A, N or K for B)
// are multiples of 4, so that every copy group is one 16-byte cp.async; CudaBackend checks it and passes 0 otherwise.
extern "C" __global__ void gemm_tf32_forward(float* C, const float* __restrict__ A, const float* __restrict__ B,
                                             const float* bias, int M, int N, int K, int transA, int transB,
                                             float alpha, float beta, int kind, float activationAlpha, int asyncCopy) {
    static_assert(TF32_THREADS == 256, "Tf32GemmGeometry.Threads launches 256 threads per block");
    static_assert(TF32_STAGES * TF32_STAGE_FLOATS * 4 <= 48 * 1024, "static shared memory is limited to 48 KiB");
    __shared__ __attribute__((aligned(16))) float stages[TF32_STAGES * TF32_STAGE_FLOATS];
    const bool async = asyncCopy != 0;
    // Four inlined instantiations, so that each K loop reads its shared tiles at constant offsets.
    if (transA && transB) {
        gemm_tf32_block_tile<true, true>(C, A, B, bias, M, N, K, alpha, beta, kind, activationAlpha, async, stages);
    } else if (transA) {
        gemm_tf32_block_tile<true, false>(C, A, B, bias, M, N, K, alpha, beta, kind, activationAlpha, async, stages);
    } else if (transB) {
        gemm_tf32_block_tile<false, true>(C, A, B, bias, M, N, K, alpha, beta, kind, activationAlpha, async, stages);
    } else {
        gemm_tf32_block_tile<false, false>(C, A, B, bias, M, N, K, alpha, beta, kind, activationAlpha, async, stages);
    }
}

#endif

// ==== activation_forward ====================================================================================
//
// y[i] = act(x[i]) — x, y (n), float; y may be x (no __restrict__); kind is an ActivationKind, alpha its parameter
// (LeakyReLU slope, ELU scale); IBackend.ActivationForward. Formulas and special values as the CPU (Dense family
// helpers above).
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride, grid sized to fill the device. With x and y 16-byte
// aligned, threads step over float4 quads and the last n mod 4 elements take the scalar loop; otherwise (a view at
// an odd offset) all of them do.
// Napkin math: reads and writes 4 bytes per element (8·n bytes, bandwidth-bound; sigmoid/tanh/ELU/GELU add ~20–40
// FLOPs of exp, still under the compute roof): the benchmark divides 8·n bytes by the time.

extern "C" __global__ void activation_forward(float* y, const float* x, int n, int kind, float alpha) {
    const long long stride = (long long)blockDim.x * gridDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long scalar_start = 0;
    if (aligned_16(y) && aligned_16(x)) {
        const long long quads = n / 4;
        for (long long q = first; q < quads; q += stride) {
            float_quad v = reinterpret_cast<const float_quad*>(x)[q];
#pragma unroll
            for (int k = 0; k < 4; k++) v.lane[k] = dense_activation_forward(v.lane[k], kind, alpha);
            reinterpret_cast<float_quad*>(y)[q] = v;
        }
        scalar_start = quads * 4;
    }
    for (long long i = scalar_start + first; i < n; i += stride) y[i] = dense_activation_forward(x[i], kind, alpha);
}

// ==== activation_backward ===================================================================================
//
// dx[i] = dy[i]·act'(x[i]), given y = act(x) — dx, dy, x, y (n), float; dx may be dy (no __restrict__);
// IBackend.ActivationBackward. The derivative at a kink follows the CPU (and PyTorch): ReLU'(0) = 0,
// LeakyReLU'(0) = α, ELU'(0) = α.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride, grid sized to fill the device; float4 quads when all
// four arrays are 16-byte aligned, as activation_forward.
// Napkin math: reads dy, x, y and writes dx: 16 bytes per element, bandwidth-bound: the benchmark divides 16·n
// bytes by the time.

extern "C" __global__ void activation_backward(float* dx, const float* dy, const float* x, const float* y, int n,
                                               int kind, float alpha) {
    const long long stride = (long long)blockDim.x * gridDim.x;
    const long long first = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long scalar_start = 0;
    if (aligned_16(dx) && aligned_16(dy) && aligned_16(x) && aligned_16(y)) {
        const long long quads = n / 4;
        for (long long q = first; q < quads; q += stride) {
            float_quad g = reinterpret_cast<const float_quad*>(dy)[q];
            const float_quad xq = reinterpret_cast<const float_quad*>(x)[q];
            const float_quad yq = reinterpret_cast<const float_quad*>(y)[q];
#pragma unroll
            for (int k = 0; k < 4; k++) g.lane[k] = dense_activation_backward(g.lane[k], xq.lane[k], yq.lane[k], kind, alpha);
            reinterpret_cast<float_quad*>(dx)[q] = g;
        }
        scalar_start = quads * 4;
    }
    for (long long i = scalar_start + first; i < n; i += stride) {
        dx[i] = dense_activation_backward(dy[i], x[i], y[i], kind, alpha);
    }
}

// ==== prelu_forward =========================================================================================
//
// y[n, f] = x[n, f] if x > 0, else α[f]·x — x, y (rows, features) row-major, α (features), n = rows·features;
// y may be x; IBackend.PReLUForward. One multiply, as on the CPU: bit-identical to it.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride over the n elements, grid sized to fill the device;
// f = i mod features (32-bit: i < n ≤ 2^31 - 1).
// Napkin math: reads x, writes y: 8 bytes per element (α stays in L1/L2): the benchmark divides 8·n bytes by
// the time.

extern "C" __global__ void prelu_forward(float* y, const float* x, const float* __restrict__ alpha, int n,
                                         int features) {
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : alpha[(unsigned int)i % (unsigned int)features] * v;
    }
}

// ==== prelu_backward ========================================================================================
//
// dx = dy where x > 0, else α[f]·dy; dα[f] = Σ_n dy·x over x ≤ 0, overwritten (0 for rows = 0) — dx, dy, x
// (rows, features) row-major, α, dα (features); dx may be dy; IBackend.PReLUBackward.
// Launch: blocks of (32, 8) threads, grid (ceil(features / 32)), column_sum's geometry: thread (c, r) of block b
// handles feature b·32 + c over rows r, r + 8, … in order (a warp touches 32 adjacent floats of one row:
// coalesced), writing dx and accumulating its slice of dα; thread (c, 0) then adds the 8 slices in order. No
// atomics and a geometry fixed by the shapes alone: deterministic. One block per 32 features leaves SMs idle for
// narrow inputs; a dense layer's hundreds of features with a batch of rows fill the device better.
// Napkin math: reads dy and x, writes dx: 12 bytes per element: the benchmark divides 12·rows·features bytes by
// the time.

constexpr int PRELU_BACKWARD_COLUMNS = 32, PRELU_BACKWARD_SLICES = 8;

extern "C" __global__ void prelu_backward(float* dx, float* __restrict__ dalpha, const float* dy, const float* x,
                                          const float* __restrict__ alpha, int rows, int features) {
    __shared__ float slices[PRELU_BACKWARD_SLICES][PRELU_BACKWARD_COLUMNS + 1];  // +1: thread (c, 0) reads a column
    const int f = blockIdx.x * PRELU_BACKWARD_COLUMNS + threadIdx.x;
    float sum = 0.0f;
    if (f < features) {
        const float slope = alpha[f];
        for (long long r = threadIdx.y; r < rows; r += PRELU_BACKWARD_SLICES) {
            const long long i = r * features + f;
            const float g = dy[i], v = x[i];
            if (v > 0.0f) {
                dx[i] = g;
            } else {
                dx[i] = slope * g;
                sum += g * v;
            }
        }
    }
    slices[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && f < features) {
        float total = slices[0][threadIdx.x];
        for (int s = 1; s < PRELU_BACKWARD_SLICES; s++) total += slices[s][threadIdx.x];
        dalpha[f] = total;
    }
}

// ==== softmax_forward =======================================================================================
//
// y[n, c] = e^(x[n, c] - m) / Σ_c' e^(x[n, c'] - m), m = max_c x[n, c] — x, y (rows, cols) row-major; y may be x
// (each element is read and written by one lane); IBackend.SoftmaxForward. As the CPU (and PyTorch): -∞ entries
// give 0; a row holding +∞ or NaN, or only -∞, gives NaN (the max propagates NaN, and ∞ - ∞ is NaN).
// Launch: blocks of 256 threads = 8 warps, one warp per row, grid (ceil(rows / 8)); lane l handles columns
// l, l + 32, … in three passes: max (NaN-propagating butterfly), e^(x - m) stored in y and summed (warp_sum), then
// y / sum. Deterministic. A warp per row suits classifier widths (tens to thousands of classes).
// Napkin math: reads x twice and y once, writes y twice: 20 bytes per element at worst (the second reads mostly
// hit L1/L2 for rows of a few KiB): the benchmark divides 8·rows·cols bytes (one read, one write) by the time.

// max(a, b) propagating NaN, as .NET's float.Max (fmaxf would drop it).
static __device__ __forceinline__ float dense_max_nan(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

extern "C" __global__ void softmax_forward(float* y, const float* x, int rows, int cols) {
    const long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;  // the whole warp: row is the same for its 32 lanes
    const int lane = threadIdx.x & 31;
    const float* in = x + row * cols;
    float* out = y + row * cols;
    float m = -__builtin_huge_valf();
    for (int c = lane; c < cols; c += 32) m = dense_max_nan(m, in[c]);
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) m = dense_max_nan(m, __shfl_xor_sync(0xffffffffu, m, mask));
    float sum = 0.0f;
    for (int c = lane; c < cols; c += 32) {
        const float e = dense_expf(in[c] - m);
        out[c] = e;
        sum += e;
    }
    sum = warp_sum(sum);
    for (int c = lane; c < cols; c += 32) out[c] = out[c] / sum;
}

// ############################################################################################################
// #### Normalization family: batch norm, layer norm, group norm ##############################################
// ############################################################################################################
//
// The statistics follow src/Engine.Cpu/Normalization/NormStatistics.cs: a shifted, corrected two-pass in float.
// Pass 1 sums x - K with K the first value of the set (so 1e4 + small noise sums small numbers instead of
// cancelling large ones), pass 2 sums d = x - μ and d², and M2 = Σd² - (Σd)²/n removes the bias of rounding μ;
// invstd = 1/√(M2/n + eps) with IEEE division and square root. Every sum runs in an order fixed by the launch
// geometry (no atomics), so a result is the same bits on every run. The CPU sums in a different order, so parity
// is within Tolerance (reductions), not bitwise. No output pointer is __restrict__: y may be x (and dx may be dy),
// which the kernels allow because every element is read and then written by the same thread, after the block's
// (or warp's) reductions over it are complete.

// Columns and row slices of the per-feature kernels: a block of 32 × 8 threads owns 32 adjacent columns (a warp
// reads 128 contiguous bytes of a row) and every row of them, slice s taking rows s, s + 8, …
static constexpr int NORM_TILE = 32, NORM_SLICES = 8;

// max(a, b) with NaN propagating (.NET's T.Max, unlike fmaxf, which drops a NaN).
static __device__ __forceinline__ float max_with_nan(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
}

// Σ(x - μ)² from the deviations' sums; never negative, NaN still propagates (NormStatistics.CorrectedM2).
static __device__ __forceinline__ float corrected_m2(float sum, float sumSquares, float n) {
    return max_with_nan(0.0f, sumSquares - sum * sum / n);
}

// 1/√(M2/n + eps), the inverse standard deviation of the biased variance, as PyTorch saves it.
static __device__ __forceinline__ float inv_std(float m2, float n, float eps) {
    return __fdiv_rn(1.0f, __fsqrt_rn(__fdiv_rn(m2, n) + eps));
}

// Σ_s partials[s][column] in slice order: the block-level step of the per-feature reductions.
static __device__ __forceinline__ float slice_total(const float (*partials)[NORM_TILE + 1], int column) {
    float total = partials[0][column];
    for (int s = 1; s < NORM_SLICES; s++) total += partials[s][column];
    return total;
}

// ==== batchnorm_statistics ==================================================================================
//
// Per-split batch statistics for batchnorm_forward_training. x (N,F); partials (2·S·F): the mean of split s of
// column f minus K = x[0, f] at partials[s·F + f], its M2 at partials[(S + s)·F + f]; split s is rows
// [s·R, min(N, (s + 1)·R)), R = rowsPerSplit ≥ 1, S = ceil(N / R). The means are kept relative to K so that merging
// them does not inherit the rounding of a large offset (a feature of 1e4 + noise: float means near 1e4 are 1e-3
// apart, their differences small numbers).
// Launch: blocks of (32, 8) threads, grid (ceil(F / 32), S): block (b, s) owns 32 adjacent columns of split s;
// thread (c, t) sums rows t, t + 8, … of the split in order and thread (c, 0) adds the 8 slices in order — the
// shifted two-pass of the family header within the split (its second pass re-reads the split, mostly from L1/L2).
// Splitting the rows is what fills the GPU: one block per 32 columns alone is 32 blocks for F = 1024.
// Napkin math: x read once from DRAM (4·N·F bytes), 8·S·F bytes of partials written.

extern "C" __global__ void batchnorm_statistics(float* __restrict__ partials, const float* __restrict__ x, int rows,
                                                int features, int rowsPerSplit) {
    __shared__ float sums[NORM_SLICES][NORM_TILE + 1], squares[NORM_SLICES][NORM_TILE + 1];
    __shared__ float split_mean[NORM_TILE];
    const int c = threadIdx.x, slice = threadIdx.y;
    const long long col = (long long)blockIdx.x * NORM_TILE + c;
    const bool active = col < features;
    const long long first = (long long)blockIdx.y * rowsPerSplit;
    const long long end = first + rowsPerSplit < rows ? first + rowsPerSplit : rows;
    const float n = (float)(end - first);

    float shifted = 0.0f;
    if (active) {
        const float shift = x[first * features + col];
        for (long long r = first + slice; r < end; r += NORM_SLICES) shifted += x[r * features + col] - shift;
    }
    sums[slice][c] = shifted;
    __syncthreads();
    if (slice == 0 && active) split_mean[c] = (x[first * features + col] - x[col]) + slice_total(sums, c) / n;
    __syncthreads();

    float sum = 0.0f, square = 0.0f;
    if (active) {
        const float mean = x[col] + split_mean[c];
        for (long long r = first + slice; r < end; r += NORM_SLICES) {
            const float d = x[r * features + col] - mean;
            sum += d;
            square = fmaf(d, d, square);
        }
    }
    sums[slice][c] = sum;
    squares[slice][c] = square;
    __syncthreads();
    if (slice == 0 && active) {
        const long long splits = gridDim.y;
        partials[blockIdx.y * (long long)features + col] = split_mean[c];
        partials[(splits + blockIdx.y) * features + col] = corrected_m2(slice_total(sums, c), slice_total(squares, c), n);
    }
}

// ==== batchnorm_forward_training ============================================================================
//
// Fused batch-norm training forward, after batchnorm_statistics; IBackend.BatchNormForwardTraining. x (N,F),
// y (N,F) (may be x); gamma, beta, savedMean, savedInvStd, runningMean, runningVar (F); N ≥ 2; partials and
// rowsPerSplit as batchnorm_statistics left them. Per column the S split moments (means relative to x[0, f]) are
// merged in split order
// (Chan et al.: δ = mean_b - mean_a, mean += δ·n_b/n, M2 += M2_b + δ²·n_a·n_b/n), invstd = 1/√(M2/N + eps),
// y = act((x - μ)·(invstd·γ) + β), runningMean ← m·μ + (1-m)·runningMean, runningVar ← m·M2/(N-1) + (1-m)·runningVar
// (the unbiased variance, PyTorch's order); kind is ACTIVATION_IDENTITY or ACTIVATION_RELU (a BatchNorm → ReLU pair
// fused, through dense_activation_forward, so the bits are those of a separate activation_forward).
// Launch: blocks of (32, 8) threads, grid (ceil(F / 32), Y): every block merges its 32 columns' partials (the same
// code and order, so the same bits in every block; the blocks with blockIdx.y = 0 write the saved and running
// statistics), then normalises rows blockIdx.y·8 + t, stepping 8·Y (a warp touches 128 contiguous bytes of a row).
// Napkin math: x read once more and y written once (8·N·F bytes) plus 8·S·F bytes of partials per block row of
// the grid: with batchnorm_statistics, 12·N·F bytes — x must be read twice when it does not fit on chip, and the
// benchmark divides these 12·N·F bytes by the time of both launches.

extern "C" __global__ void batchnorm_forward_training(float* y, float* savedMean, float* savedInvStd,
                                                      float* runningMean, float* runningVar, const float* x,
                                                      const float* gamma, const float* beta,
                                                      const float* __restrict__ partials, int rows, int features,
                                                      int rowsPerSplit, float momentum, float eps, int kind) {
    __shared__ float column_mean[NORM_TILE], column_scale[NORM_TILE];
    const int c = threadIdx.x, slice = threadIdx.y;
    const long long col = (long long)blockIdx.x * NORM_TILE + c;
    const bool active = col < features;
    if (slice == 0 && active) {
        const int splits = rows / rowsPerSplit + (rows % rowsPerSplit != 0 ? 1 : 0);
        float mean = partials[col], m2 = partials[(long long)splits * features + col];
        float count = (float)(rowsPerSplit < rows ? rowsPerSplit : rows);
        for (int s = 1; s < splits; s++) {
            const long long first = (long long)s * rowsPerSplit;
            const float nb = (float)((first + rowsPerSplit < rows ? first + rowsPerSplit : rows) - first);
            const float total = count + nb;
            const float delta = partials[(long long)s * features + col] - mean;
            mean += delta * (nb / total);
            m2 += partials[(long long)(splits + s) * features + col] + delta * delta * (count * nb / total);
            count = total;
        }
        const float n = (float)rows;
        mean = x[col] + mean;
        m2 = max_with_nan(0.0f, m2);
        const float invStd = inv_std(m2, n, eps);
        column_mean[c] = mean;
        column_scale[c] = invStd * gamma[col];
        if (blockIdx.y == 0) {
            savedMean[col] = mean;
            savedInvStd[col] = invStd;
            const float keep = 1.0f - momentum;
            runningMean[col] = momentum * mean + keep * runningMean[col];
            runningVar[col] = momentum * (m2 / (n - 1.0f)) + keep * runningVar[col];
        }
    }
    __syncthreads();

    if (active) {
        const float mean = column_mean[c], scale = column_scale[c], shift = beta[col];
        const long long stride = (long long)NORM_SLICES * gridDim.y;
        for (long long r = (long long)blockIdx.y * NORM_SLICES + slice; r < rows; r += stride) {
            const long long i = r * features + col;
            y[i] = dense_activation_forward(fmaf(x[i] - mean, scale, shift), kind, 0.0f);
        }
    }
}

// ==== batchnorm_forward_inference ===========================================================================
//
// y = act((x - running mean)·(γ/√(running var + eps)) + β) — x (N,F), y (N,F) (may be x); gamma, beta, runningMean,
// runningVar (F); kind ACTIVATION_IDENTITY or ACTIVATION_RELU; IBackend.BatchNormForwardInference.
// Launch: blocks of (32, 8) threads, grid (ceil(F / 32), min(ceil(N / 8), 65535)): thread (c, r) computes its
// column's scale once and walks rows r, r + 8·gridDim.y, … (a warp touches 128 contiguous bytes of a row).
// Napkin math: x read and y written once, 8 bytes and 2 FLOPs per element: the benchmark divides 8·N·F bytes by
// the time.

extern "C" __global__ void batchnorm_forward_inference(float* y, const float* x, const float* __restrict__ gamma,
                                                       const float* __restrict__ beta,
                                                       const float* __restrict__ runningMean,
                                                       const float* __restrict__ runningVar, int rows, int features,
                                                       float eps, int kind) {
    const long long col = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= features) return;
    const float mean = runningMean[col], shift = beta[col];
    const float scale = inv_std(runningVar[col], 1.0f, eps) * gamma[col];
    const long long stride = (long long)blockDim.y * gridDim.y;
    for (long long r = (long long)blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += stride) {
        const long long i = r * features + col;
        y[i] = dense_activation_forward(fmaf(x[i] - mean, scale, shift), kind, 0.0f);
    }
}

// ==== batchnorm_backward_sums ==============================================================================
//
// Per-split column sums for batchnorm_backward. dy, x, y (N,F); savedMean (F); partials (2·S·F): Σ dz of split s of
// column f at partials[s·F + f], Σ dz·(x - μ) at partials[(S + s)·F + f]; splits as batchnorm_statistics. With kind
// ACTIVATION_RELU, dz = batchnorm_masked_gradient(dy, y) (y the forward's post-ReLU output); with
// ACTIVATION_IDENTITY dz = dy and y is not read (may be null).
// Launch: as batchnorm_statistics: blocks of (32, 8) threads, grid (ceil(F / 32), S); slices summed in order.
// Napkin math: dy and x read once (8·N·F bytes; 12·N·F with the ReLU's y), 8·S·F bytes of partials written.

// dz = dy masked by the fused activation: the ReLU's backward given its output y = max(z, 0), which is ≤ 0 exactly
// where z is and NaN exactly where z is, so the bits are those of a separate activation_backward on z.
static __device__ __forceinline__ float batchnorm_masked_gradient(const float* dy, const float* y, long long i,
                                                                  int kind) {
    return kind == ACTIVATION_RELU ? dense_activation_backward(dy[i], y[i], y[i], kind, 0.0f) : dy[i];
}

extern "C" __global__ void batchnorm_backward_sums(float* __restrict__ partials, const float* __restrict__ dy,
                                                   const float* __restrict__ y, const float* __restrict__ x,
                                                   const float* __restrict__ savedMean, int rows, int features,
                                                   int rowsPerSplit, int kind) {
    __shared__ float sums[NORM_SLICES][NORM_TILE + 1], centered_sums[NORM_SLICES][NORM_TILE + 1];
    const int c = threadIdx.x, slice = threadIdx.y;
    const long long col = (long long)blockIdx.x * NORM_TILE + c;
    const bool active = col < features;
    const long long first = (long long)blockIdx.y * rowsPerSplit;
    const long long end = first + rowsPerSplit < rows ? first + rowsPerSplit : rows;

    float sumDy = 0.0f, sumDyCentered = 0.0f;
    if (active) {
        const float mean = savedMean[col];
        for (long long r = first + slice; r < end; r += NORM_SLICES) {
            const long long i = r * features + col;
            const float g = batchnorm_masked_gradient(dy, y, i, kind);
            sumDy += g;
            sumDyCentered = fmaf(g, x[i] - mean, sumDyCentered);
        }
    }
    sums[slice][c] = sumDy;
    centered_sums[slice][c] = sumDyCentered;
    __syncthreads();
    if (slice == 0 && active) {
        const long long splits = gridDim.y;
        partials[blockIdx.y * (long long)features + col] = slice_total(sums, c);
        partials[(splits + blockIdx.y) * features + col] = slice_total(centered_sums, c);
    }
}

// ==== batchnorm_backward ====================================================================================
//
// Fused batch-norm backward from the saved statistics, after batchnorm_backward_sums; IBackend.BatchNormBackward.
// dy, x, dx, y (N,F) (dx may be dy or y); gamma, savedMean, savedInvStd, dGamma, dBeta (F); N ≥ 2. With
// x̂ = (x - μ)·invstd and dz = dy masked by the fused ReLU as in batchnorm_backward_sums (kind, y):
// dβ = Σ_rows dz, dγ = invstd·Σ_rows dz·(x - μ) (both overwritten; the split sums added in split order),
// dx = (γ·invstd/N)·(N·dz - dβ - (x - μ)·invstd·dγ).
// Launch: as batchnorm_forward_training: blocks of (32, 8) threads, grid (ceil(F / 32), Y); every block adds its
// columns' partials (blocks with blockIdx.y = 0 write dγ and dβ), then writes dx for rows blockIdx.y·8 + t,
// stepping 8·Y.
// Napkin math: dy and x read once more and dx written once (12·N·F bytes): with batchnorm_backward_sums,
// 20·N·F bytes, which the benchmark divides by the time of both launches (28·N·F with the ReLU's y read twice,
// against 32·N·F for a separate activation_backward and plain batch-norm backward).

extern "C" __global__ void batchnorm_backward(float* dx, float* dGamma, float* dBeta, const float* dy,
                                              const float* y, const float* x, const float* gamma,
                                              const float* savedMean, const float* savedInvStd,
                                              const float* __restrict__ partials, int rows, int features,
                                              int rowsPerSplit, int kind) {
    __shared__ float column_dbeta[NORM_TILE], column_coefficient[NORM_TILE], column_centered_scale[NORM_TILE];
    const int c = threadIdx.x, slice = threadIdx.y;
    const long long col = (long long)blockIdx.x * NORM_TILE + c;
    const bool active = col < features;
    const float n = (float)rows;
    if (slice == 0 && active) {
        const int splits = rows / rowsPerSplit + (rows % rowsPerSplit != 0 ? 1 : 0);
        float dbeta = partials[col], centered = partials[(long long)splits * features + col];
        for (int s = 1; s < splits; s++) {
            dbeta += partials[(long long)s * features + col];
            centered += partials[(long long)(splits + s) * features + col];
        }
        const float invStd = savedInvStd[col];
        const float dgamma = centered * invStd;
        if (blockIdx.y == 0) {
            dBeta[col] = dbeta;
            dGamma[col] = dgamma;
        }
        column_dbeta[c] = dbeta;
        column_coefficient[c] = gamma[col] * invStd / n;
        column_centered_scale[c] = invStd * dgamma;
    }
    __syncthreads();

    if (active) {
        const float mean = savedMean[col], dbeta = column_dbeta[c];
        const float coefficient = column_coefficient[c], centeredScale = column_centered_scale[c];
        const long long stride = (long long)NORM_SLICES * gridDim.y;
        for (long long r = (long long)blockIdx.y * NORM_SLICES + slice; r < rows; r += stride) {
            const long long i = r * features + col;
            dx[i] = coefficient * (n * batchnorm_masked_gradient(dy, y, i, kind) - dbeta - (x[i] - mean) * centeredScale);
        }
    }
}

// ==== column_partials_sum ===================================================================================
//
// first[f] = Σ_s partials[s·F + f], second[f] = Σ_s partials[(S + s)·F + f], s in order — partials (2·S·F), first and
// second (F): the last step of a split-row column reduction (group_norm_backward_parameters).
// Launch: 1-D grid of 1-D blocks (256 threads), one thread per column.
// Napkin math: 8·S·F bytes read, 8·F written: small next to the N·F pass that made the partials.

extern "C" __global__ void column_partials_sum(float* __restrict__ first, float* __restrict__ second,
                                               const float* __restrict__ partials, int splits, int features) {
    const long long col = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= features) return;
    float a = partials[col], b = partials[(long long)splits * features + col];
    for (int s = 1; s < splits; s++) {
        a += partials[(long long)s * features + col];
        b += partials[(long long)(splits + s) * features + col];
    }
    first[col] = a;
    second[col] = b;
}

// ==== group_norm_forward ====================================================================================
//
// Group norm, which is also layer norm (G = 1); IBackend.GroupNormForward / LayerNormForward. x (N,F), y (N,F)
// (may be x); gamma, beta (F); savedMean, savedInvStd (N·G), index row·G + group. Each row's F features split
// into G contiguous groups of S = F/G; per group: μ and M2 by the shifted two-pass, invstd = 1/√(M2/S + eps),
// y = (x - μ)·(invstd·γ) + β.
// Launch: blocks of 256 threads = 8 warps, one warp per (row, group), grid (ceil(N·G / 8)); lane l takes elements
// l, l + 32, … of the group and warp_sum combines the lanes (every lane gets the same bits). A warp per group
// keeps small groups cheap; a layer norm over thousands of features with a small batch leaves SMs idle.
// Napkin math: x read three times (the second and third from L1/L2), y written once: the benchmark divides
// 8·N·F bytes (x once, y once) by the time.

extern "C" __global__ void group_norm_forward(float* y, float* savedMean, float* savedInvStd, const float* x,
                                              const float* __restrict__ gamma, const float* __restrict__ beta,
                                              int rows, int features, int groups, float eps) {
    const long long pair = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (pair >= (long long)rows * groups) return;
    const int lane = threadIdx.x & 31, size = features / groups;
    const long long row = pair / groups, group = pair - row * groups;
    const float* xs = x + row * features + group * size;
    float* ys = y + row * features + group * size;
    const float* gs = gamma + group * size;
    const float* bs = beta + group * size;
    const float n = (float)size;

    const float shift = xs[0];
    float shifted = 0.0f;
    for (int j = lane; j < size; j += 32) shifted += xs[j] - shift;
    const float mean = shift + warp_sum(shifted) / n;

    float sum = 0.0f, square = 0.0f;
    for (int j = lane; j < size; j += 32) {
        const float d = xs[j] - mean;
        sum += d;
        square = fmaf(d, d, square);
    }
    const float invStd = inv_std(corrected_m2(warp_sum(sum), warp_sum(square), n), n, eps);
    if (lane == 0) {
        savedMean[pair] = mean;
        savedInvStd[pair] = invStd;
    }
    for (int j = lane; j < size; j += 32) ys[j] = fmaf(xs[j] - mean, invStd * gs[j], bs[j]);
}

// ==== group_norm_backward ===================================================================================
//
// Group-norm backward, which is also layer-norm backward (G = 1); IBackend.GroupNormBackward / LayerNormBackward.
// dy, x, dx (N,F) (dx may be dy); gamma, dGamma, dBeta (F); savedMean, savedInvStd (N·G). Two kernels, queued in
// this order so that dx may share storage with dy:
// - group_norm_backward_parameters: per feature and split of the rows (as batchnorm_backward_sums), Σ dy and
//   Σ dy·x̂ with x̂ = (x - μ)·invstd of the feature's (row, group), into partials (2·S·F); then column_partials_sum
//   adds the splits in order: dβ = Σ_rows dy, dγ = Σ_rows dy·x̂, both overwritten, 0 when N = 0 (one empty split).
// - group_norm_backward_input: per (row, group) of S features, with g = dy·γ,
//   dx = (invstd/S)·(S·g - Σg - (x - μ)·invstd²·Σ g·(x - μ)) (PyTorch's formula).
// Launch: _parameters as batchnorm_backward_sums (blocks of (32, 8) threads, grid (ceil(F / 32), S), slices summed
// in order); _input as group_norm_forward (one warp per (row, group), 8 per block).
// Napkin math: dy and x read twice and dx written once: the benchmark divides 12·N·F bytes by the time of both.

extern "C" __global__ void group_norm_backward_parameters(float* __restrict__ partials, const float* dy,
                                                          const float* x, const float* savedMean,
                                                          const float* savedInvStd, int rows, int features,
                                                          int groups, int rowsPerSplit) {
    __shared__ float sums[NORM_SLICES][NORM_TILE + 1], normalized_sums[NORM_SLICES][NORM_TILE + 1];
    const int c = threadIdx.x, slice = threadIdx.y;
    const long long col = (long long)blockIdx.x * NORM_TILE + c;
    const bool active = col < features;
    const long long first = (long long)blockIdx.y * rowsPerSplit;
    const long long end = first + rowsPerSplit < rows ? first + rowsPerSplit : rows;

    float sumDy = 0.0f, sumDyNormalized = 0.0f;
    if (active) {
        const long long group = col / (features / groups);
        for (long long r = first + slice; r < end; r += NORM_SLICES) {
            const long long i = r * features + col, s = r * groups + group;
            sumDy += dy[i];
            sumDyNormalized = fmaf(dy[i], (x[i] - savedMean[s]) * savedInvStd[s], sumDyNormalized);
        }
    }
    sums[slice][c] = sumDy;
    normalized_sums[slice][c] = sumDyNormalized;
    __syncthreads();
    if (slice == 0 && active) {
        const long long splits = gridDim.y;
        partials[blockIdx.y * (long long)features + col] = slice_total(sums, c);
        partials[(splits + blockIdx.y) * features + col] = slice_total(normalized_sums, c);
    }
}

extern "C" __global__ void group_norm_backward_input(float* dx, const float* dy, const float* x,
                                                     const float* __restrict__ gamma, const float* savedMean,
                                                     const float* savedInvStd, int rows, int features, int groups) {
    const long long pair = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (pair >= (long long)rows * groups) return;
    const int lane = threadIdx.x & 31, size = features / groups;
    const long long row = pair / groups, group = pair - row * groups;
    const long long first = row * features + group * size;
    const float* gs = gamma + group * size;
    const float mean = savedMean[pair], invStd = savedInvStd[pair], n = (float)size;

    float sumG = 0.0f, sumGCentered = 0.0f;
    for (int j = lane; j < size; j += 32) {
        const float scaled = dy[first + j] * gs[j];
        sumG += scaled;
        sumGCentered = fmaf(scaled, x[first + j] - mean, sumGCentered);
    }
    sumG = warp_sum(sumG);
    sumGCentered = warp_sum(sumGCentered);
    const float coefficient = invStd / n, centeredScale = invStd * (sumGCentered * invStd);
    for (int j = lane; j < size; j += 32) {
        const float scaled = dy[first + j] * gs[j];
        dx[first + j] = coefficient * (n * scaled - sumG - (x[first + j] - mean) * centeredScale);
    }
}

// ############################################################################################################
// #### Losses family: softmax cross-entropy, MSE, BCE with logits ############################################
// ############################################################################################################
//
// Each loss is a mean over the batch (or the elements): a first kernel with a FIXED grid of 128 blocks of 256
// threads (CudaBackend.LossBlocks; never sized to the device) writes one float64 partial per block, and
// loss_mean_combine adds the partials in block order and divides. Terms are formed in float exactly as on the CPU
// (src/Engine.Cpu/Losses/*.cs) and summed in float64 like the CPU reference, so the scalar loss matches it to a
// few float ulps (the asserted parity: rtol 1e-3) and is the same bits on every run and every GPU. The gradients
// are elementwise and spelled with __fmul_rn/__fadd_rn/__fdiv_rn in the CPU's operation order, so they differ
// from the CPU only through e^x (an ulp or two).

// Sum of a double over a block of blockDim.x threads (a multiple of 32); valid in thread 0. `warp_partials` is a
// __shared__ array of 32 doubles. The order is fixed by the geometry.
static __device__ __forceinline__ double block_sum_double(double value, double* warp_partials) {
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) value += __shfl_xor_sync(0xffffffffu, value, mask);
    const unsigned int lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
    if (lane == 0) warp_partials[warp] = value;
    __syncthreads();
    if (warp == 0) {
        value = lane < (blockDim.x >> 5) ? warp_partials[lane] : 0.0;
#pragma unroll
        for (int mask = 16; mask > 0; mask >>= 1) value += __shfl_xor_sync(0xffffffffu, value, mask);
    }
    return value;
}

// e^x for x ≤ 0 (every exponent a loss takes: x - max and -|x|): LossMath.ExpOfNonPositive of the CPU, operation
// for operation (Cody–Waite reduction x = k·ln2 + r with k rounded half to even, degree-7 Taylor polynomial for
// e^r, 2^k built in the exponent bits), so it gives the CPU's vector-lane bits; -inf and anything below the
// smallest normal result give 0, NaN stays NaN.
static __device__ __forceinline__ float exp_nonpositive(float x) {
    const float log2e = 1.44269504f, ln2High = 0.693359375f, ln2Low = -2.12194440e-4f;
    const float smallestNormalExponent = -87.3365447f;  // log(2^-126)
    const float roundingShift = 12582912.0f;            // 1.5·2²³: adding and subtracting it rounds to even
    if (x < smallestNormalExponent) return 0.0f;
    const float k = __fsub_rn(__fadd_rn(__fmul_rn(x, log2e), roundingShift), roundingShift);
    const float r = __fsub_rn(__fsub_rn(x, __fmul_rn(k, ln2High)), __fmul_rn(k, ln2Low));
    float p = 1.0f / 5040;
    p = __fadd_rn(__fmul_rn(p, r), 1.0f / 720);
    p = __fadd_rn(__fmul_rn(p, r), 1.0f / 120);
    p = __fadd_rn(__fmul_rn(p, r), 1.0f / 24);
    p = __fadd_rn(__fmul_rn(p, r), 1.0f / 6);
    p = __fadd_rn(__fmul_rn(p, r), 1.0f / 2);
    p = __fadd_rn(__fmul_rn(p, r), 1.0f);
    p = __fadd_rn(__fmul_rn(p, r), 1.0f);
    return __fmul_rn(p, __int_as_float(((int)k + 127) << 23));
}

// ==== portable_log ==========================================================================================
//
// Not a kernel: PortableMath.Log of src/Engine/Random/PortableMath.cs, operation for operation in float32 with
// __fmul_rn/__fadd_rn/__fsub_rn/__fdiv_rn (no contraction into fma), so it returns the CPU's bits for every
// positive normal float (the only inputs it supports, as on the CPU). Used by Box–Muller (bit-identical noise)
// and by the losses (log of a sum of exponentials ≥ 1, log1p).
// Launch: none (device function). Napkin math: ~20 FLOPs including one IEEE division.

static __device__ __forceinline__ float portable_log(float x) {
    const float ln2Hi = 6.9313812256e-01f, ln2Lo = 9.0580006145e-06f;
    const float lg1 = 0.66666662693f, lg2 = 0.40000972152f, lg3 = 0.28498786688f, lg4 = 0.24279078841f;
    const int bits = __float_as_int(x);
    int k = (bits >> 23) - 127;
    const int mantissa = bits & 0x007fffff;
    // 0x800000 when the mantissa is at least 0x3504e0 (m ≥ ~√2): then use m/2 and k + 1.
    const int half = (mantissa + 0x4afb20) & 0x800000;
    const float m = __int_as_float(mantissa | (half ^ 0x3f800000));
    k += half >> 23;
    const float f = __fsub_rn(m, 1.0f);
    const float s = __fdiv_rn(f, __fadd_rn(2.0f, f));
    const float z = __fmul_rn(s, s);
    const float w = __fmul_rn(z, z);
    const float r = __fadd_rn(__fmul_rn(z, __fadd_rn(lg1, __fmul_rn(w, lg3))),
                              __fmul_rn(w, __fadd_rn(lg2, __fmul_rn(w, lg4))));
    const float halfSquare = __fmul_rn(__fmul_rn(0.5f, f), f);
    const float dk = (float)k;
    return __fsub_rn(__fmul_rn(dk, ln2Hi),
                     __fsub_rn(__fsub_rn(halfSquare, __fadd_rn(__fmul_rn(s, __fadd_rn(halfSquare, r)),
                                                               __fmul_rn(dk, ln2Lo))),
                               f));
}

// log x for x ≥ 1 or NaN (a softmax denominator Σ e^(x - max), or 1 + e^-|x|): NaN is returned as is, since
// portable_log reads bits and would turn it into a number.
static __device__ __forceinline__ float log_at_least_one(float x) { return x != x ? x : portable_log(x); }

// log(1 + z) for z in [0, 1], accurate for tiny z (LossMath.Log1p: the rounding of 1 + z cancels between log u and
// u - 1).
static __device__ __forceinline__ float log1p_unit(float z) {
    const float u = __fadd_rn(1.0f, z);
    const float rounded = __fsub_rn(u, 1.0f);
    return rounded == 0.0f ? z : __fmul_rn(log_at_least_one(u), __fdiv_rn(z, rounded));
}

// ==== loss_mean_combine =====================================================================================
//
// loss[0] = (float)(Σ_b partials[b] / divisor) — partials (count) float64, in block order; the second pass of
// every loss. status is the fault record of index_range_check, or null for ops without indices: while a fault is
// recorded nothing is written.
// Launch: one block of 32 threads; thread 0 adds the partials in order (count = CudaBackend.LossBlocks: 128 adds).
// Napkin math: reads 1 KiB: launch latency, nothing else.

extern "C" __global__ void loss_mean_combine(float* __restrict__ loss, const double* __restrict__ partials,
                                             const int* __restrict__ status, int count, int divisor) {
    if (threadIdx.x != 0 || (status != nullptr && status[0] != 0)) return;
    double total = 0.0;
    for (int b = 0; b < count; b++) total += partials[b];
    loss[0] = (float)(total / divisor);
}

// ==== softmax_cross_entropy_forward =========================================================================
//
// Fused, numerically stable softmax cross-entropy with label smoothing ε; IBackend.SoftmaxCrossEntropy.
// logits (N,C), labels (N) in [0, C), dLogits (N,C) or null, partials (CudaBackend.LossBlocks) float64. Per row, with
// m = max_c x (NaN propagates), s = Σ e^(x - m), gap = Σ (m - x):
//   row loss = log s + (1-ε)·(m - x[label]) + ε·gap/C (float64, the ε term skipped when ε = 0),
//   dLogits[c] = (e^(x[c] - m)/s - q[c])/N, q = ε/C + (1-ε)·[c = label].
// index_range_check runs first on the same stream; while a fault is recorded nothing is written (nor by
// loss_mean_combine, which follows).
// Launch: exactly CudaBackend.LossBlocks (128) blocks of 256 threads = 8 warps, one warp per row, grid-stride
// over rows (row r goes to warp r mod 1024, whatever the device); lane l takes classes l, l + 32, …; lane 0 adds
// its rows' losses in row order, the block adds its warps in order into partials[block]. Every lane reads
// x[label] before the warp's first shuffle, and each lane writes only the classes it read, so dLogits may be
// logits.
// Napkin math: logits read twice (the second time from L1/L2) and dLogits written once: 8 bytes per logit plus 4
// per label; the benchmark divides 8·N·C bytes by the time.

extern "C" __global__ void softmax_cross_entropy_forward(double* __restrict__ partials, float* dLogits,
                                                         const float* logits, const int* __restrict__ labels,
                                                         const int* __restrict__ status, int rows, int classes,
                                                         float epsilon) {
    __shared__ double warp_losses[32];
    if (status[0] != 0) return;
    const unsigned int lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
    const long long warps = (long long)gridDim.x * (blockDim.x >> 5);
    const float inverseCount = __fdiv_rn(1.0f, (float)rows);
    const float smoothTarget = __fdiv_rn(epsilon, (float)classes);
    const float labelTarget = __fadd_rn(smoothTarget, __fsub_rn(1.0f, epsilon));
    double warpLoss = 0.0;
    for (long long row = (long long)blockIdx.x * (blockDim.x >> 5) + warp; row < rows; row += warps) {
        const float* values = logits + row * classes;
        const int label = labels[row];
        const float labelLogit = values[label];

        float max = -__builtin_huge_valf();
        for (int c = lane; c < classes; c += 32) max = max_with_nan(max, values[c]);
#pragma unroll
        for (int mask = 16; mask > 0; mask >>= 1) max = max_with_nan(max, __shfl_xor_sync(0xffffffffu, max, mask));

        float sumExp = 0.0f, gap = 0.0f;
        for (int c = lane; c < classes; c += 32) {
            const float shifted = __fsub_rn(values[c], max);
            sumExp = __fadd_rn(sumExp, exp_nonpositive(shifted));
            gap = __fsub_rn(gap, shifted);
        }
        sumExp = warp_sum(sumExp);
        gap = warp_sum(gap);

        if (lane == 0) {
            double rowLoss = (double)log_at_least_one(sumExp) + (1.0 - (double)epsilon) * (double)(max - labelLogit);
            if (epsilon != 0.0f) rowLoss += (double)epsilon * (double)gap / classes;
            warpLoss += rowLoss;
        }
        if (dLogits != nullptr) {
            float* gradient = dLogits + row * classes;
            const float inverseSum = __fdiv_rn(1.0f, sumExp);
            for (int c = lane; c < classes; c += 32) {
                const float probability = __fmul_rn(exp_nonpositive(__fsub_rn(values[c], max)), inverseSum);
                gradient[c] = __fmul_rn(__fsub_rn(probability, c == label ? labelTarget : smoothTarget), inverseCount);
            }
        }
    }
    if (lane == 0) warp_losses[warp] = warpLoss;
    __syncthreads();
    if (threadIdx.x == 0) {
        double total = 0.0;
        for (unsigned int w = 0; w < (blockDim.x >> 5); w++) total += warp_losses[w];
        partials[blockIdx.x] = total;
    }
}

// ==== mse_loss_forward ======================================================================================
//
// Mean squared error; IBackend.MseLoss. prediction, target, dPrediction (n) (dPrediction may be null, or be
// prediction), partials (CudaBackend.LossBlocks) float64: partials[b] = Σ (p - t)² over block b's elements
// (each square rounded in float, the sum in float64), dPrediction = 2·(p - t)/n (the CPU reference's order;
// count is n as a float). loss_mean_combine divides by n.
// Launch: exactly CudaBackend.LossBlocks blocks of 256 threads, grid-stride over the elements; each thread sums
// its elements in order in float64, block_sum_double combines the block.
// Napkin math: reads 8 bytes and writes 4 (with the gradient) per element, 3 FLOPs plus a float64 add: the
// benchmark divides 12·n bytes by the time.

extern "C" __global__ void mse_loss_forward(double* __restrict__ partials, float* dPrediction, const float* prediction,
                                            const float* __restrict__ target, int n, float count) {
    __shared__ double warp_partials[32];
    const long long stride = (long long)blockDim.x * gridDim.x;
    double total = 0.0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float difference = __fsub_rn(prediction[i], target[i]);
        total += (double)__fmul_rn(difference, difference);
        if (dPrediction != nullptr) dPrediction[i] = __fdiv_rn(__fmul_rn(2.0f, difference), count);
    }
    total = block_sum_double(total, warp_partials);
    if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

// ==== binary_cross_entropy_with_logits_forward ==============================================================
//
// Binary cross-entropy on logits; IBackend.BinaryCrossEntropyWithLogits. logits, target, dLogits (n) (dLogits may
// be null, or be logits), partials (CudaBackend.LossBlocks) float64. With e = e^-|x| (never overflows):
//   term = max(x, 0) - x·t + log1p(e) (float, summed in float64), dLogits = (σ(x) - t)/n, σ(x) - t formed as
//   (1 - t) - w for x ≥ 0 and w - t otherwise, w = e/(1 + e), so a confident hard prediction keeps its tiny
//   gradient (src/Engine.Cpu/Losses/BinaryCrossEntropyWithLogits.cs). loss_mean_combine divides by n.
// Launch: as mse_loss_forward (CudaBackend.LossBlocks blocks of 256 threads, grid-stride, float64 per thread).
// Napkin math: reads 8 bytes and writes 4 per element, ~40 FLOPs (exp, log, two divisions): the benchmark
// divides 12·n bytes by the time.

extern "C" __global__ void binary_cross_entropy_with_logits_forward(double* __restrict__ partials, float* dLogits,
                                                                    const float* logits,
                                                                    const float* __restrict__ target, int n,
                                                                    float count) {
    __shared__ double warp_partials[32];
    const long long stride = (long long)blockDim.x * gridDim.x;
    double total = 0.0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float x = logits[i], t = target[i];
        const float e = exp_nonpositive(-fabsf(x));
        total += (double)__fadd_rn(__fsub_rn(max_with_nan(x, 0.0f), __fmul_rn(x, t)), log1p_unit(e));
        if (dLogits != nullptr) {
            const float w = __fdiv_rn(e, __fadd_rn(1.0f, e));
            const float sigmoidMinusTarget = x >= 0.0f ? __fsub_rn(__fsub_rn(1.0f, t), w) : __fsub_rn(w, t);
            dLogits[i] = __fdiv_rn(sigmoidMinusTarget, count);
        }
    }
    total = block_sum_double(total, warp_partials);
    if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

// ############################################################################################################
// #### Stochastic family: dropout, DropConnect, Gaussian noise ###############################################
// ############################################################################################################
//
// Bit-identical to the CPU (DESIGN.md §6): the Philox stream of philox_block above, the keep rule and uniforms of
// src/Engine/Random/Philox.cs, and Box–Muller with PhiloxNormal.cs / PortableMath.cs translated operation for
// operation (portable_log above, sincos_two_pi below) with __fmul_rn/__fadd_rn/__fsub_rn/__fdiv_rn/__fsqrt_rn, so
// no product is contracted into an fma and every division and square root is correctly rounded. Every kernel
// handles one Philox block (four elements, all four words used) per thread and iteration.

// The uniform in [0, 1) of a word: its top 24 bits times 2⁻²⁴, exact (Philox.ToUniform).
static __device__ __forceinline__ float philox_uniform(unsigned int word) {
    return __fmul_rn((float)(word >> 8), 1.0f / 16777216.0f);
}

// The uniform in (0, 1] of a word: (top 24 bits + 1) times 2⁻²⁴, exact (PhiloxNormal.ToUniformOpenZero).
static __device__ __forceinline__ float philox_uniform_open_zero(unsigned int word) {
    return __fmul_rn((float)((word >> 8) + 1u), 1.0f / 16777216.0f);
}

// sin(2π·turns) and cos(2π·turns) for |turns| < 2²⁰: PortableMath.SinCosTwoPi operation for operation (exact
// range reduction in quarter turns, minimax polynomials on [-1/2, 1/2] quarter turns, quadrant swap and negation).
static __device__ __forceinline__ void sincos_two_pi(float turns, float* sine, float* cosine) {
    const float s0 = 0.5707963267948966f, s1 = -0.6459634900093079f, s2 = 0.07968022674322128f,
                s3 = -0.004602177068591118f;
    const float c1 = -1.2337005138397217f, c2 = 0.25366920232772827f, c3 = -0.02086007036268711f,
                c4 = 0.0009036316769197583f;
    const float roundingShift = 12582912.0f;
    const float v = __fmul_rn(4.0f, turns);
    const float q = __fsub_rn(__fadd_rn(v, roundingShift), roundingShift);
    const float f = __fsub_rn(v, q);
    const float t = __fmul_rn(f, f);
    const float sinF = __fadd_rn(
        f, __fmul_rn(f, __fadd_rn(s0, __fmul_rn(t, __fadd_rn(s1, __fmul_rn(t, __fadd_rn(s2, __fmul_rn(t, s3))))))));
    const float cosF = __fadd_rn(
        1.0f, __fmul_rn(t, __fadd_rn(c1, __fmul_rn(t, __fadd_rn(c2, __fmul_rn(t, __fadd_rn(c3, __fmul_rn(t, c4))))))));
    switch ((int)q & 3) {
        case 0: *sine = sinF; *cosine = cosF; break;
        case 1: *sine = cosF; *cosine = -sinF; break;
        case 2: *sine = -sinF; *cosine = -cosF; break;
        default: *sine = -cosF; *cosine = sinF; break;
    }
}

// The Box–Muller pair of two words (PhiloxNormal.Pair): r = √(-2·log u1), (r·cos 2πu2, r·sin 2πu2).
static __device__ __forceinline__ void box_muller(unsigned int radiusWord, unsigned int angleWord, float* z0,
                                                  float* z1) {
    const float radius = __fsqrt_rn(__fmul_rn(-2.0f, portable_log(philox_uniform_open_zero(radiusWord))));
    float sine, cosine;
    sincos_two_pi(philox_uniform(angleWord), &sine, &cosine);
    *z0 = __fmul_rn(radius, cosine);
    *z1 = __fmul_rn(radius, sine);
}

// ==== philox_mask_forward ===================================================================================
//
// y[i] = keep[i] ? x[i]·scale : +0 with keep[i] = uniform(word i of the stream (seed, offset)) ≥ p — x, y (n)
// (y may be x). Dropout forward and backward (scale = 1/(1-p), computed by the launcher as the CPU computes it:
// 1.0f / (1.0f - p), one IEEE division) and DropConnect (scale = 1); IBackend.DropoutForward, DropoutBackward,
// DropConnectMask. A dropped element is exactly +0 whatever x is (±inf and NaN included), as on the CPU.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride over the ceil(n / 4) Philox blocks, grid sized to fill
// the device; each thread generates one block and applies its four words to elements 4b … 4b + 3, as one float4
// load and store when x and y are 16-byte aligned and the quad is whole (four scalar accesses 16 bytes apart
// would touch each sector four times).
// Napkin math: reads and writes 4 bytes per element (8 bytes), plus ~25 integer ops per element for Philox:
// the benchmark divides 8·n bytes by the time.

extern "C" __global__ void philox_mask_forward(float* y, const float* x, float p, float scale, int n,
                                               unsigned long long seed, unsigned long long offset) {
    const long long blocks = ((long long)n + 3) / 4;
    const long long stride = (long long)blockDim.x * gridDim.x;
    const bool quads = aligned_16(x) && aligned_16(y);
    for (long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += stride) {
        const philox_words words = philox_block(seed, offset, (unsigned long long)b);
        const unsigned int word[4] = {words.x0, words.x1, words.x2, words.x3};
        const long long first = 4 * b;
        if (quads && first + 3 < n) {
            float_quad v = reinterpret_cast<const float_quad*>(x)[b];
#pragma unroll
            for (int k = 0; k < 4; k++) v.lane[k] = philox_uniform(word[k]) >= p ? __fmul_rn(v.lane[k], scale) : 0.0f;
            reinterpret_cast<float_quad*>(y)[b] = v;
            continue;
        }
#pragma unroll
        for (int k = 0; k < 4; k++) {
            const long long i = first + k;
            if (i < n) y[i] = philox_uniform(word[k]) >= p ? __fmul_rn(x[i], scale) : 0.0f;
        }
    }
}

// ==== gaussian_noise_forward ================================================================================
//
// y[i] = x[i] + σ·z[i] — x, y (n) (y may be x), z[i] the standard normal of element i of the stream (seed, offset)
// by Box–Muller: Philox block b's words (x0, x1) give z[4b], z[4b+1] and (x2, x3) give z[4b+2], z[4b+3]
// (PhiloxNormal.cs); σ·z and the sum each rounded once, as on the CPU; IBackend.AddGaussianNoise.
// Launch: 1-D grid of 1-D blocks (256 threads), grid-stride over the ceil(n / 4) Philox blocks, grid sized to fill
// the device; each thread generates one block, two Box–Muller pairs, and writes its four elements.
// Napkin math: reads and writes 4 bytes per element (8 bytes) plus ~40 FLOPs per element (a log, a division and a
// square root per pair): the benchmark divides 8·n bytes by the time.

extern "C" __global__ void gaussian_noise_forward(float* y, const float* x, float stddev, int n,
                                                  unsigned long long seed, unsigned long long offset) {
    const long long blocks = ((long long)n + 3) / 4;
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += stride) {
        const philox_words words = philox_block(seed, offset, (unsigned long long)b);
        float z[4];
        box_muller(words.x0, words.x1, &z[0], &z[1]);
        box_muller(words.x2, words.x3, &z[2], &z[3]);
        const long long first = 4 * b;
#pragma unroll
        for (int k = 0; k < 4; k++) {
            const long long i = first + k;
            if (i < n) y[i] = __fadd_rn(x[i], __fmul_rn(stddev, z[k]));
        }
    }
}
