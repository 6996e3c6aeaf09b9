// Runs gemm_tf32_forward of kernels.cu on the host, for tests/Cuda/Tf32GemmKernelHostTests.cs.
//
// The test cuts the Dense family's shared helpers, the gemm section (for gemm_epilogue_activation) and the gemm_tf32
// section into tf32_gemm.inc and compiles this file with CUDANET_TF32_HOST_EMULATION, which removes the section's
// inline-PTX wrappers; the emulations below implement their PTX semantics:
//   cvt.rna.tf32.f32   round to nearest, ties away from zero, to 10 mantissa bits (low 13 bits cleared);
//   mma.sync m16n8k8   warp-collective: each lane posts its fragments in the PTX ISA layout to a per-warp scratch,
//                      the warp meets, each lane sums its 4 outputs over k = 0..7 in float (products of TF32 values
//                      are exact), the warp meets again before the scratch is reused. An operand with any of its
//                      low 13 bits set aborts: the kernel must round every operand it feeds the tensor cores;
//   cp.async           deferred: a copy lands only when its thread's wait_group retires its group, so a read of a
//                      stage before the wait (or before the barrier after another thread's wait) sees stale data.
// Blocks run as HostBlockEmulation.h emulates them.
//
// argv: M N K transA transB alpha beta kind bias async. Fills A, B in [-1, 1] and C (NaN when β = 0, which must never be
// read), runs the kernel with A and B offset by one float when async is 0 (the plain-load path on misaligned rows),
// and prints, one "name value" per line: worst (error / bound against float64 of the TF32-rounded inputs, bound =
// ((K + 4)·S·L + 16·|ref|)·2^-24, S = |α|·Σ|ã·b̃| + |β·C| + |bias|, L the activation's Lipschitz constant: ≤ 1 passes),
// nonfinite (outputs that are not finite), guard (writes past C), round_mismatches (tf32_round against an
// independent frexp-based rounding on random values and exact ties).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <vector>
#include "HostBlockEmulation.h"
static std::barrier<>* warp_barriers[32];

static uint32_t bits_of(float x) { uint32_t b; std::memcpy(&b, &x, 4); return b; }
static float float_of(uint32_t b) { float x; std::memcpy(&x, &b, 4); return x; }

// cvt.rna.tf32.f32: adding half of the dropped 13 bits' range to the magnitude carries exactly when the dropped part
// is at least half (ties away from zero); a carry into the exponent is the correct rounding up, to ∞ past the largest.
static unsigned int tf32_round(float x) {
    uint32_t b = bits_of(x);
    if (std::isnan(x)) return 0x7fffffffu;
    return (b + 0x1000u) & 0xffffe000u;
}

struct warp_scratch { float a[16][8], b[8][8], c[16][8]; };
static warp_scratch scratch[32];

static float tf32_operand(unsigned int b) {
    if (b & 0x1fffu) { fprintf(stderr, "mma operand 0x%08x is not TF32 (low 13 bits set)\n", b); std::abort(); }
    return float_of(b);
}

static void mma_m16n8k8_tf32(float (&d)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, g = lane / 4, t = lane % 4;
    warp_scratch& s = scratch[warp];
    s.a[g][t] = tf32_operand(a[0]); s.a[g + 8][t] = tf32_operand(a[1]);
    s.a[g][t + 4] = tf32_operand(a[2]); s.a[g + 8][t + 4] = tf32_operand(a[3]);
    s.b[t][g] = tf32_operand(b[0]); s.b[t + 4][g] = tf32_operand(b[1]);
    s.c[g][2 * t] = d[0]; s.c[g][2 * t + 1] = d[1]; s.c[g + 8][2 * t] = d[2]; s.c[g + 8][2 * t + 1] = d[3];
    warp_barriers[warp]->arrive_and_wait();
    float out[4];
    for (int r = 0; r < 4; r++) {
        const int row = g + 8 * (r / 2), column = 2 * t + r % 2;
        float sum = s.c[row][column];
        for (int k = 0; k < 8; k++) sum += s.a[row][k] * s.b[k][column];
        out[r] = sum;
    }
    warp_barriers[warp]->arrive_and_wait();
    for (int r = 0; r < 4; r++) d[r] = out[r];
}

struct pending_copy { float* shared; const float* global; };
thread_local std::vector<pending_copy> open_group;
thread_local std::vector<std::vector<pending_copy>> committed;

static void cp_async16(float* shared, const float* global) {
    if ((reinterpret_cast<uintptr_t>(shared) | reinterpret_cast<uintptr_t>(global)) % 16 != 0) {
        fprintf(stderr, "cp.async of 16 bytes on a misaligned address\n");
        std::abort();
    }
    open_group.push_back({shared, global});
}
static void cp_async_commit() { committed.push_back(std::move(open_group)); open_group.clear(); }
template <int PENDING>
static void cp_async_wait() {
    while ((int)committed.size() > PENDING) {
        for (auto& copy : committed.front()) std::memcpy(copy.shared, copy.global, 16);
        committed.erase(committed.begin());
    }
}

#include "tf32_gemm.inc"

// A 1-D launch with a barrier per warp for mma.sync; after each block every thread must have waited for all its
// cp.async groups.
static void launch_tf32(unsigned blocks, unsigned threads, const std::function<void()>& kernel) {
    std::vector<std::barrier<>*> warps;
    for (unsigned w = 0; w < threads / 32; w++) warps.push_back(warp_barriers[w] = new std::barrier<>(32));
    launch(blocks, 1, threads, 1, kernel, [] {
        for (auto& group : committed)
            if (!group.empty()) { fprintf(stderr, "cp.async group never waited for\n"); std::abort(); }
        committed.clear();
    });
    for (auto* w : warps) delete w;
}

// Rounding to 11 significant bits, ties away, by frexp (normal numbers): independent of the bit trick above.
static double tf32_reference(float x) {
    int e;
    double m = std::frexp((double)x, &e);
    return std::copysign(std::floor(std::fabs(m) * 2048.0 + 0.5), m) * std::ldexp(1.0, e - 11);
}

static double activation(double x, int kind) {
    if (kind == 1) return x > 0 ? x : 0;
    if (kind == 6) return x / (1 + std::exp(-1.5957691216057308 * (x + 0.044715 * x * x * x)));
    return x;
}

int main(int argc, char** argv) {
    if (argc != 11) { fprintf(stderr, "usage: M N K transA transB alpha beta kind bias async\n"); return 2; }
    const int M = atoi(argv[1]), N = atoi(argv[2]), K = atoi(argv[3]), ta = atoi(argv[4]), tb = atoi(argv[5]);
    const float alpha = (float)atof(argv[6]), beta = (float)atof(argv[7]);
    const int kind = atoi(argv[8]), hasBias = atoi(argv[9]), async = atoi(argv[10]);
    if (async && ((ta ? M : K) % 4 != 0 || (tb ? K : N) % 4 != 0)) {
        fprintf(stderr, "async needs row lengths that are multiples of 4\n");
        return 2;
    }
    std::mt19937 rng(M * 7919 + N * 131 + K);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    // 16-byte aligned storage; the plain path reads A and B one float in, so no row start is aligned.
    const int shift = async ? 0 : 1, guardFloats = 64;
    std::vector<float> aStore((size_t)M * K + 8), bStore((size_t)K * N + 8), bias(N);
    float* A = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(aStore.data()) + 15) & ~(uintptr_t)15) + shift;
    float* B = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(bStore.data()) + 15) & ~(uintptr_t)15) + shift;
    for (size_t i = 0; i < (size_t)M * K; i++) A[i] = uniform(rng);
    for (size_t i = 0; i < (size_t)K * N; i++) B[i] = uniform(rng);
    for (auto& v : bias) v = uniform(rng);
    std::vector<float> C((size_t)M * N + guardFloats), C0((size_t)M * N);
    for (size_t i = 0; i < C.size(); i++) C[i] = beta == 0 ? std::numeric_limits<float>::quiet_NaN() : uniform(rng);
    for (size_t i = 0; i < C0.size(); i++) C0[i] = C[i];
    const float guard = 12345.0f;
    for (int i = 0; i < guardFloats; i++) C[(size_t)M * N + i] = guard;

    const unsigned rowTiles = (M + TF32_TILE_M - 1) / TF32_TILE_M, columnTiles = (N + TF32_TILE_N - 1) / TF32_TILE_N;
    const unsigned blocks = std::max(1u, rowTiles * columnTiles);
    launch_tf32(blocks, TF32_THREADS, [&] {
        gemm_tf32_forward(C.data(), A, B, hasBias ? bias.data() : nullptr, M, N, K, ta, tb, alpha, beta, kind, 0.0f,
                          async);
    });

    double worst = 0;
    int nonfinite = 0, guardHits = 0;
    const double u = std::ldexp(1.0, -24), lipschitz = kind == 6 ? 1.2 : 1.0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0, magnitude = 0;
            for (int k = 0; k < K; k++) {
                const double a = tf32_reference(ta ? A[(size_t)k * M + i] : A[(size_t)i * K + k]);
                const double b = tf32_reference(tb ? B[(size_t)j * K + k] : B[(size_t)k * N + j]);
                sum += a * b;
                magnitude += std::fabs(a * b);
            }
            double pre = (double)alpha * sum, scale = std::fabs((double)alpha) * magnitude;
            if (beta != 0) { pre += (double)beta * C0[(size_t)i * N + j]; scale += std::fabs((double)beta * C0[(size_t)i * N + j]); }
            if (hasBias) { pre += bias[j]; scale += std::fabs((double)bias[j]); }
            const double ref = activation(pre, kind), got = C[(size_t)i * N + j];
            if (!std::isfinite(got)) { nonfinite++; continue; }
            const double bound = ((K + 4) * scale * lipschitz + 16 * std::fabs(ref)) * u + 1e-30;
            worst = std::max(worst, std::fabs(got - ref) / bound);
        }
    for (int i = 0; i < guardFloats; i++) guardHits += C[(size_t)M * N + i] != guard;

    int mismatches = 0;
    std::vector<float> probes = {1.0f, -1.0f, 0.0f, 3.4e38f, 1e-30f};
    for (int i = 0; i < 100000; i++) probes.push_back(uniform(rng) * std::ldexp(1.0f, (int)(rng() % 60) - 30));
    // Exact ties (dropped bits 0x1000) and their neighbours, both signs.
    for (uint32_t m : {0x3f801000u, 0x3f803000u, 0x3f800fffu, 0x3f801001u, 0xbf801000u, 0xbf803000u, 0x4b7ff000u})
        probes.push_back(float_of(m));
    for (float x : probes)
        if ((double)float_of(tf32_round(x)) != tf32_reference(x)) mismatches++;

    printf("worst %.17g\nnonfinite %d\nguard %d\nround_mismatches %d\n", worst, nonfinite, guardHits, mismatches);
}
