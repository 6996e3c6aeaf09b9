// Runs the gemm entry points of kernels.cu on the host, for tests/Cuda/GemmKernelHostTests.cs.
//
// The test cuts the Dense family's helpers, the float4 quad type and the gemm section into .inc files and compiles
// this file with -ffp-contract=off; blocks run as HostBlockEmulation.h emulates them.
//
// stdin: one launch per line, "entry gridX blockX transA transB M N K alpha beta bias kind" (bias 0/1, kind an
// ActivationKind; β = 0 fills C with NaN, which the kernel must never read). Inputs are uniform in [-1, 1]. stdout:
// per line "excess mismatches", where excess is the worst |c - ref| / (atol + rtol·|ref|) against a float64 reference
// (so ≤ 1 passes; rtol, atol given on the command line) and mismatches counts the elements that differ from a float
// emulation of the kernel's contract: the K products summed in increasing k with fmaf from 0, then the epilogue.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>
#include "HostBlockEmulation.h"
#include "dense_helpers.inc"
#include "float_quad.inc"
#include "gemm.inc"

using gemm_entry = void (*)(float*, const float*, const float*, const float*, int, int, int, int, int, float, float, int,
                            float);
static const struct { const char* name; gemm_entry entry; } entries[] = {
    {"gemm_forward_128x128", gemm_forward_128x128}, {"gemm_forward_128x128_float4", gemm_forward_128x128_float4},
    {"gemm_forward_64x64", gemm_forward_64x64},     {"gemm_forward_64x64_float4", gemm_forward_64x64_float4},
    {"gemm_forward_32x32", gemm_forward_32x32},     {"gemm_forward_32x32_float4", gemm_forward_32x32_float4},
};

static double activation64(double x, int kind) {
    switch (kind) {
        case ACTIVATION_RELU: return x > 0 ? x : 0;
        case ACTIVATION_SIGMOID: return 1 / (1 + std::exp(-x));
        case ACTIVATION_GELU: return x / (1 + std::exp(-1.5957691216057308 * (x + 0.044715 * x * x * x)));
        case ACTIVATION_IDENTITY: return x;
        default: fprintf(stderr, "no float64 reference for activation %d\n", kind); exit(2);
    }
}

int main(int argc, char** argv) {
    const double rtol = atof(argv[1]), atolBase = atof(argv[2]);
    char name[64];
    unsigned gx, bx;
    int ta, tb, M, N, K, hasBias, kind;
    float alpha, beta;
    while (scanf("%63s %u %u %d %d %d %d %d %f %f %d %d", name, &gx, &bx, &ta, &tb, &M, &N, &K, &alpha, &beta, &hasBias,
                 &kind) == 12) {
        gemm_entry entry = nullptr;
        for (const auto& e : entries)
            if (strcmp(e.name, name) == 0) entry = e.entry;
        if (entry == nullptr) { fprintf(stderr, "unknown entry %s\n", name); return 2; }
        std::mt19937 rng((unsigned)(M * 7919 + N * 104729 + K * 31 + ta * 2 + tb));
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        std::vector<float> a((size_t)M * K), b((size_t)K * N), bias(N), c((size_t)M * N), c0;
        for (auto& v : a) v = uniform(rng);
        for (auto& v : b) v = uniform(rng);
        for (auto& v : bias) v = uniform(rng);
        for (auto& v : c) v = beta == 0.0f ? std::nanf("") : uniform(rng);
        c0 = c;
        const float* biasPointer = hasBias ? bias.data() : nullptr;
        launch(gx, 1, bx, 1, [&] {
            entry(c.data(), a.data(), b.data(), biasPointer, M, N, K, ta, tb, alpha, beta, kind, 0.0f);
        });
        auto A = [&](int i, int p) { return ta ? a[(size_t)p * M + i] : a[(size_t)i * K + p]; };
        auto B = [&](int p, int j) { return tb ? b[(size_t)j * K + p] : b[(size_t)p * N + j]; };
        const double atol = atolBase * (K / 1024.0 > 1 ? K / 1024.0 : 1);
        double excess = 0;
        long mismatches = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double sum = 0;
                float emulated = 0.0f;
                for (int p = 0; p < K; p++) {
                    sum += (double)A(i, p) * B(p, j);
                    emulated = std::fmaf(A(i, p), B(p, j), emulated);
                }
                const size_t index = (size_t)i * N + j;
                double value = alpha * sum + (beta != 0.0f ? beta * (double)c0[index] : 0.0) + (hasBias ? bias[j] : 0.0);
                const double expected = activation64(value, kind);
                float e = alpha * emulated;
                if (beta != 0.0f) e += beta * c0[index];
                if (hasBias) e += bias[j];
                e = kind == ACTIVATION_IDENTITY ? e : dense_activation_forward(e, kind, 0.0f);
                const float got = c[index];
                if (!(got == e)) mismatches++;
                const double ratio = std::fabs(got - expected) / (atol + rtol * std::fabs(expected));
                if (!(ratio <= excess)) excess = ratio != ratio ? INFINITY : ratio;  // NaN where a number belongs fails
            }
        printf("%.6g %ld\n", excess, mismatches);
        fflush(stdout);
    }
}
