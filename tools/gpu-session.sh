#!/usr/bin/env bash
# Every GPU check of the CUDA and GPU-performance issues in one call on a GPU machine that has a driver, nvcc and a
# CUDA build of PyTorch but no .NET SDK (DESIGN.md §12): the test suite and the CLI are published here as one
# self-contained linux-x64 bundle and run there.
#
#   tools/gpu-session.sh prepare       here: .device/bin.tar.xz (the suite as an executable, with cudanet beside it) and
#                                      .device/fashion-mnist.tar.xz (needs dataset-fashion-mnist); carry .device
#   tools/gpu-session.sh run OUT       there, from the repository root: ptxas on the PTX, info, verify, train with and
#                                      without graphs, the test suite, bench, PyTorch's MLP epoch and Adam step;
#                                      OUT/results.tar.gz and OUT/log.txt
#   tools/gpu-session.sh report DIR    here: bench/results/<date>-gpu-<name>.{md,json} from the unpacked results in DIR
#
# `run` keeps to DEADLINE seconds (default 540) in all, so one command fits the device tool's 10-minute limit: each step
# gets the smaller of its own limit and what is left, and a step that fails or times out is logged and the rest go on.
# DEVICE=cpu runs the same steps on the CPU: a dry run of the whole pipeline on a machine without a GPU (PYTHON names a
# python3 with torch, default python3).
set -uo pipefail
cd "$(dirname "$0")/.."

prepare() {
    local data=/usr/share/datasets/fashion-mnist publish
    [ -f "$data/train-images-idx3-ubyte.gz" ] || { echo "gpu-session.sh: install dataset-fashion-mnist first" >&2; exit 2; }
    publish=$(mktemp -d)
    # The test project references the CLI, so its self-contained publish holds cudanet too: one runtime for both.
    # Symbols, XML docs and the coverage collector stay here (the device tool carries 64 MiB in all).
    dotnet publish tests -c Release -r linux-x64 --self-contained -p:CudaNetTestRunner=true -o "$publish/bin" >/dev/null || exit 1
    rm -rf "$publish/bin/Microsoft.CodeCoverage" "$publish"/bin/*.pdb "$publish"/bin/*.xml
    mkdir -p "$publish/fashion-mnist"
    for f in "$data"/*-ubyte.gz; do gzip -dc "$f" > "$publish/fashion-mnist/$(basename "$f" .gz)"; done
    rm -rf .device
    mkdir -p .device
    tar -cf - -C "$publish" bin | xz -T0 -9 > .device/bin.tar.xz
    tar -cf - -C "$publish" fashion-mnist | xz -T0 -9 > .device/fashion-mnist.tar.xz
    rm -rf "$publish"
    git rev-parse HEAD > .device/commit
    # What the device tool sends: the files git tracks or would add, and .device.
    echo "carried: $(( ( $(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- | tail -1 | cut -f1) +
        $(du -cb .device | tail -1 | cut -f1) ) >> 20 )) MiB of 64"
    echo "carry: [\".device\"]; command: bash tools/gpu-session.sh run \$OUT"
}

run() {
    local out=$1 deadline=${DEADLINE:-540} device=${DEVICE:-cuda} python=${PYTHON:-python3} started results cli tests
    local data=.device/fashion-mnist cublas
    started=$(date +%s)
    results=$(mktemp -d)
    mkdir -p "$out"
    # Unpacked inside the repository: the tests find kernels.cu and the bundled sample above their own folder.
    rm -rf .device/bin "$data"
    xz -dc .device/bin.tar.xz | tar -xf - -C .device
    xz -dc .device/fashion-mnist.tar.xz | tar -xf - -C .device
    gzip -1 "$data"/*-ubyte # bench/pytorch/mlp_epoch.py reads the .gz names
    cli=.device/bin/cudanet
    tests=.device/bin/CudaNet.Tests
    # cuBLAS is the GEMM rows' reference: the CUDA toolkit's, else the one PyTorch's wheels bring.
    cublas=$(ls /usr/local/cuda/lib64/libcublas.so.1* 2>/dev/null | head -1)
    [ -n "$cublas" ] || cublas=$("$python" -c 'import nvidia.cublas, os; print(os.path.join(nvidia.cublas.__path__[0], "lib", "x"))' 2>/dev/null)
    [ -n "$cublas" ] && export LD_LIBRARY_PATH="$(dirname "$cublas")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    {
        echo "commit $(cat .device/commit 2>/dev/null)  date $(date -u +%FT%TZ)  cublas dir ${cublas:+$(dirname "$cublas")}"
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || lscpu | head -20
    } > "$results/machine.txt" 2>&1
    step() {
        local name=$1 limit=$2 left rc begin
        shift 2
        left=$((deadline - ($(date +%s) - started) - 15))
        [ "$left" -lt "$limit" ] && limit=$left
        if [ "$limit" -le 5 ]; then echo "$name: skipped (deadline)" >> "$results/steps.txt"; return; fi
        begin=$(date +%s.%N)
        timeout "$limit" "$@" > "$results/$name.out" 2> "$results/$name.err"
        rc=$?
        printf '%s: rc %d, %.1f s (limit %d s): %s\n' "$name" "$rc" "$(awk "BEGIN { print $(date +%s.%N) - $begin }")" "$limit" "$*" \
            >> "$results/steps.txt"
    }
    # ptxas (CUDA toolkit) assembles both shipped modules for the device as the driver's JIT will: the inline PTX is
    # checked, and -v gives every kernel's registers and spills.
    export PATH="$PATH:/usr/local/cuda/bin"
    step ptxas 120 bash -c 'arch=sm_$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d .);
        for m in sm_80 sm_75; do echo "== kernels.$m.ptx for $arch"; ptxas -v -arch="$arch" src/Kernels/kernels.$m.ptx -o /dev/null 2>&1; done'
    step info 30 "$cli" info
    step verify 150 "$cli" verify --device "$device" --json
    step train 150 "$cli" train --device "$device" --data "$data" --json --output "$results/run-graphs"
    # The whole suite but what needs the dotnet command (the CLI and crash tests start child processes through it).
    step tests 240 "$tests" --filter "FullyQualifiedName!~CudaNet.Tests.CommandLine&FullyQualifiedName!~CrashDuringSave"
    step bench 180 "$cli" bench --device "$device" --json
    step pytorch-mlp 150 "$python" bench/pytorch/mlp_epoch.py --device "$device" --epochs 10 --data "$data"
    step pytorch-adam 60 "$python" bench/pytorch/adam_step.py --device "$device"
    step train-no-graphs 60 "$cli" train --device "$device" --data "$data" --epochs 3 --no-graphs --json --output "$results/run-no-graphs"
    tar -czf "$out/results.tar.gz" -C "$results" .
    cat "$results/machine.txt" "$results/steps.txt" > "$out/log.txt"
    cat "$out/log.txt"
}

report() {
    python3 tools/gpu-report.py "$1"
}

case "${1:-}" in
    prepare) prepare ;;
    run) [ $# -eq 2 ] || { echo "usage: tools/gpu-session.sh run OUT" >&2; exit 2; }; run "$2" ;;
    report) [ $# -eq 2 ] || { echo "usage: tools/gpu-session.sh report DIR" >&2; exit 2; }; report "$2" ;;
    *) echo "usage: tools/gpu-session.sh prepare | run OUT | report DIR" >&2; exit 2 ;;
esac
