// Runs begin_step of kernels.cu on the host, for tests/Cuda/StepControlKernelTests.cs.
//
// The test cuts the Optimizers family (the record layout) and the Step control family out of kernels.cu into
// step_control_family.inc and compiles this file with -ffp-contract=off. The double and float intrinsics map onto
// IEEE-rounded C++ operations (x86-64 rounds every double operation once), and (float) rounds to nearest as the
// GPU's cvt.rn.f32.f64 does.
//
// stdin, whitespace-separated (doubles and floats as the hex of their bits):
//   cases; then per case: groups, capacity, steps, the plan (8 + 3·groups doubles), the state (9 doubles), the rates
//   (capacity doubles), the powers (3·capacity doubles), then per step: the squared norm and the loss (2 floats).
// stdout: per case and step, the state (9 doubles) on one line and the records (16·groups floats) on the next.

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
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double x) { return std::sqrt(x); }

#include "step_control_family.inc"

namespace {

constexpr int kStateLength = 9;

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "harness: %s\n", message.c_str());
    std::exit(2);
}

long long read_integer() {
    long long value;
    if (std::scanf("%lld", &value) != 1) fail("expected an integer");
    return value;
}

double read_double() {
    unsigned long long bits;
    if (std::scanf("%llx", &bits) != 1) fail("expected the hex bits of a double");
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

float read_float() {
    unsigned int bits;
    if (std::scanf("%x", &bits) != 1) fail("expected the hex bits of a float");
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

std::vector<double> read_doubles(long long n) {
    std::vector<double> values(static_cast<size_t>(n));
    for (double& value : values) value = read_double();
    return values;
}

void run_case() {
    const int groups = static_cast<int>(read_integer());
    const long long capacity = read_integer(), steps = read_integer();
    std::vector<double> plan = read_doubles(8 + 3LL * groups);
    std::vector<double> state = read_doubles(kStateLength);
    std::vector<double> rates = read_doubles(capacity);
    std::vector<double> powers = read_doubles(3 * capacity);
    std::vector<float> records(static_cast<size_t>(RECORD_WIDTH) * groups + 1, 0.0f);
    for (long long step = 0; step < steps; ++step) {
        const float norm = read_float(), loss = read_float();
        gridDim.x = blockDim.x = 1;
        blockIdx.x = threadIdx.x = 0;
        begin_step(state.data(), plan.data(), rates.data(), powers.data(), records.data(), &norm, &loss);
        for (int i = 0; i < kStateLength; ++i) {
            unsigned long long bits;
            std::memcpy(&bits, &state[i], sizeof bits);
            std::printf(i == 0 ? "%016llx" : " %016llx", bits);
        }
        std::printf("\n");
        for (int i = 0; i < RECORD_WIDTH * groups; ++i) {
            unsigned int bits;
            std::memcpy(&bits, &records[i], sizeof bits);
            std::printf(i == 0 ? "%08x" : " %08x", bits);
        }
        std::printf("\n");
    }
}

}  // namespace

int main() {
    const long long cases = read_integer();
    for (long long c = 0; c < cases; ++c) run_case();
    return 0;
}
