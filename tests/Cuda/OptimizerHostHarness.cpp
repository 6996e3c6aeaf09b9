// Runs the Optimizers family of kernels.cu on the host, for tests/Cuda/OptimizerKernelTests.cs.
//
// The test cuts the family out of kernels.cu into optimizers_family.inc and compiles this file with
// -ffp-contract=off. The CUDA names the family uses are mapped onto their IEEE-rounded C++ equivalents (x86-64
// float arithmetic rounds every operation to float; fmaf rounds once), and a launch is emulated by calling the
// kernel once per (block, thread) in turn: the elements are independent, so the order does not matter.
//
// stdin, whitespace-separated (floats as the hex of their bits):
//   cases; then per case: kernel n offset grid block steps slots, the slot mask (one 0/1 per state slot),
//   w (n floats), each present slot (n floats), then per step: g (n floats), the float count and floats, the int
//   count and ints (n is appended); for a _controlled kernel the floats are the record it reads.
// Arrays start `offset` floats past a 16-byte boundary, so offset 0 takes the float4 path and 1..3 the scalar one.
// stdout: per case and step, w then each present slot (n floats each, hex bits), one line per array.

#include <math.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline

struct harness_dim {
    unsigned int x = 0, y = 0, z = 0;
};
static harness_dim threadIdx, blockIdx, blockDim, gridDim;

static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float x) { return std::sqrt(x); }
// fmaf and fabsf are <math.h>'s: fmaf rounds once, like the GPU's fma.rn.f32.

#include "optimizers_family.inc"

namespace {

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "harness: %s\n", message.c_str());
    std::exit(2);
}

long long read_integer() {
    long long value;
    if (std::scanf("%lld", &value) != 1) fail("expected an integer");
    return value;
}

float read_float() {
    unsigned int bits;
    if (std::scanf("%x", &bits) != 1) fail("expected the hex bits of a float");
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

void write_floats(const float* values, int n) {
    for (int i = 0; i < n; ++i) {
        unsigned int bits;
        std::memcpy(&bits, &values[i], sizeof bits);
        std::printf(i == 0 ? "%08x" : " %08x", bits);
    }
    std::printf("\n");
}

// A float array of n elements, read from stdin, starting `offset` floats past a 16-byte boundary.
struct device_array {
    std::vector<float> storage;
    float* data = nullptr;
    device_array(int n, int offset) : storage(static_cast<size_t>(n) + offset + 4) {
        auto address = reinterpret_cast<std::uintptr_t>(storage.data());
        data = reinterpret_cast<float*>((address + 15) & ~static_cast<std::uintptr_t>(15)) + offset;
        for (int i = 0; i < n; ++i) data[i] = read_float();
    }
};

// One emulated thread of the kernel; s[k] is state slot k (null when absent), f the floats, k the ints. A
// _controlled kernel takes f as its group's coefficient record (RECORD_WIDTH floats) and k as its switches.
void call(const std::string& kernel, float* w, const float* g, float* const* s, const std::vector<float>& f,
          const std::vector<int>& k, int n) {
    auto expect = [&](size_t floats, size_t ints) {
        if (f.size() != floats || k.size() != ints) fail(kernel + ": wrong argument counts");
    };
    if (kernel == "sgd_update_forward") {
        expect(6, 4);
        sgd_update_forward(w, g, s[0], f[0], f[1], f[2], f[3], f[4], f[5], k[0], k[1], k[2], k[3], n);
    } else if (kernel == "adagrad_update_forward") {
        expect(5, 1);
        adagrad_update_forward(w, g, s[0], f[0], f[1], f[2], f[3], f[4], k[0], n);
    } else if (kernel == "adadelta_update_forward") {
        expect(7, 1);
        adadelta_update_forward(w, g, s[0], s[1], f[0], f[1], f[2], f[3], f[4], f[5], f[6], k[0], n);
    } else if (kernel == "rmsprop_update_forward") {
        expect(8, 4);
        rmsprop_update_forward(w, g, s[0], s[1], s[2], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], k[0], k[1],
                               k[2], k[3], n);
    } else if (kernel == "adam_update_forward") {
        expect(10, 2);
        adam_update_forward(w, g, s[0], s[1], s[2], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], k[0],
                            k[1], n);
    } else if (kernel == "adamax_update_forward") {
        expect(8, 1);
        adamax_update_forward(w, g, s[0], s[1], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], k[0], n);
    } else if (kernel == "nadam_update_forward") {
        expect(11, 1);
        nadam_update_forward(w, g, s[0], s[1], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10],
                             k[0], n);
    } else if (kernel == "sgd_update_controlled") {
        expect(16, 2);
        sgd_update_controlled(w, g, s[0], f.data(), k[0], k[1], n);
    } else if (kernel == "adagrad_update_controlled") {
        expect(16, 0);
        adagrad_update_controlled(w, g, s[0], f.data(), n);
    } else if (kernel == "adadelta_update_controlled") {
        expect(16, 0);
        adadelta_update_controlled(w, g, s[0], s[1], f.data(), n);
    } else if (kernel == "rmsprop_update_controlled") {
        expect(16, 3);
        rmsprop_update_controlled(w, g, s[0], s[1], s[2], f.data(), k[0], k[1], k[2], n);
    } else if (kernel == "adam_update_controlled") {
        expect(16, 1);
        adam_update_controlled(w, g, s[0], s[1], s[2], f.data(), k[0], n);
    } else if (kernel == "adamax_update_controlled") {
        expect(16, 0);
        adamax_update_controlled(w, g, s[0], s[1], f.data(), n);
    } else if (kernel == "nadam_update_controlled") {
        expect(16, 0);
        nadam_update_controlled(w, g, s[0], s[1], f.data(), n);
    } else {
        fail("unknown kernel " + kernel);
    }
}

void run_case() {
    char name[64];
    if (std::scanf("%63s", name) != 1) fail("expected a kernel name");
    const std::string kernel = name;
    const int n = static_cast<int>(read_integer()), offset = static_cast<int>(read_integer());
    const unsigned int grid = static_cast<unsigned int>(read_integer()), block = static_cast<unsigned int>(read_integer());
    const int steps = static_cast<int>(read_integer()), slots = static_cast<int>(read_integer());
    std::vector<int> present(slots);
    for (int& p : present) p = static_cast<int>(read_integer());
    device_array w(n, offset);
    std::vector<device_array> states;
    states.reserve(slots);
    float* s[3] = {nullptr, nullptr, nullptr};
    for (int slot = 0; slot < slots; ++slot) {
        if (!present[slot]) continue;
        states.emplace_back(n, offset);
        s[slot] = states.back().data;
    }
    for (int step = 0; step < steps; ++step) {
        device_array g(n, offset);
        std::vector<float> floats(static_cast<size_t>(read_integer()));
        for (float& value : floats) value = read_float();
        std::vector<int> ints(static_cast<size_t>(read_integer()));
        for (int& value : ints) value = static_cast<int>(read_integer());
        gridDim.x = grid;
        blockDim.x = block;
        for (blockIdx.x = 0; blockIdx.x < grid; ++blockIdx.x)
            for (threadIdx.x = 0; threadIdx.x < block; ++threadIdx.x) call(kernel, w.data, g.data, s, floats, ints, n);
        write_floats(w.data, n);
        for (const device_array& state : states) write_floats(state.data, n);
    }
}

}  // namespace

int main() {
    const long long cases = read_integer();
    for (long long c = 0; c < cases; ++c) run_case();
    return 0;
}
