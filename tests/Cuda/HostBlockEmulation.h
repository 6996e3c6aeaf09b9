// The CUDA names a block-level kernel of kernels.cu uses, emulated on the host for the harnesses that run whole blocks
// (BatchNormHostHarness.cpp, GemmHostHarness.cpp, Tf32GemmHostHarness.cpp). Each thread of a block is a std::thread and
// __syncthreads a std::barrier; blocks run one after another, so a __shared__ array (static here) belongs to one block
// at a time, as on the GPU. The kernels never return before a barrier, which this emulation needs. Include the
// kernel sections after this file.
#pragma once
#include <barrier>
#include <functional>
#include <thread>
#include <vector>

struct dim3_ { unsigned x = 0, y = 0, z = 0; };
thread_local dim3_ threadIdx, blockIdx;
dim3_ blockDim, gridDim;
static std::barrier<>* block_barrier;
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__
#define __launch_bounds__(...)
static inline void __syncthreads() { block_barrier->arrive_and_wait(); }

// One std::thread per thread of a block, kept for the whole grid: each runs its thread of every block in turn, then
// `after_block` (a harness's per-thread check), and meets the others at the barrier, so the next block starts with
// fresh shared memory.
static void launch(unsigned gx, unsigned gy, unsigned bx, unsigned by, const std::function<void()>& kernel,
                   const std::function<void()>& after_block = {}) {
    blockDim = {bx, by, 1}; gridDim = {gx, gy, 1};
    std::barrier<> barrier((std::ptrdiff_t)(bx * by));
    block_barrier = &barrier;
    std::vector<std::thread> threads;
    for (unsigned ty = 0; ty < by; ty++) for (unsigned tx = 0; tx < bx; tx++)
        threads.emplace_back([=, &barrier] {
            threadIdx = {tx, ty, 0};
            for (unsigned y = 0; y < gy; y++) for (unsigned x = 0; x < gx; x++) {
                blockIdx = {x, y, 0};
                kernel();
                if (after_block) after_block();
                barrier.arrive_and_wait();
            }
        });
    for (auto& t : threads) t.join();
}
