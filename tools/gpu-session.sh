#!/usr/bin/env bash
# Every GPU check of the CUDA and GPU-performance issues in one call on a GPU machine that has a driver, nvcc and a
# CUDA build of PyTorch but no .NET SDK (DESIGN.md §12): the CLI is published self-contained here and run there.
#
#   tools/gpu-session.sh prepare       here: publish cudanet for linux-x64 into .device/cudanet.tar.xz and copy the full
#                                      Fashion-MNIST into .device/fashion-mnist (needs dataset-fashion-mnist); carry .device
#   tools/gpu-session.sh run OUT       there, from the repository root: ptxas on the PTX, info, verify, train with and
#                                      without graphs, bench, PyTorch's MLP epoch and Adam step; OUT/results.tar.gz, OUT/log.txt
#   tools/gpu-session.sh report DIR    here: bench/results/<date>-<gpu>.{md,json} from the unpacked results in DIR
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
    # The trimmer's output of an earlier publish is reused even when the feature switches changed: start clean.
    rm -rf src/Cli/obj/Release/net10.0/linux-x64
    # Partial trimming trims the framework only, and reflection-based JSON stays on (our assemblies and the anonymous
    # types of the --json outputs use it): 29 MB instead of 70.
    dotnet publish src/Cli -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true -p:TrimMode=partial \
        -p:SuppressTrimAnalysisWarnings=true -p:JsonSerializerIsReflectionEnabledByDefault=true -o "$publish/cudanet" >/dev/null || exit 1
    rm -rf .device
    mkdir -p .device/fashion-mnist
    tar -cJf .device/cudanet.tar.xz -C "$publish" cudanet
    cp "$data"/*.gz .device/fashion-mnist/
    rm -rf "$publish"
    git rev-parse HEAD > .device/commit
    du -sh .device
    echo "carry: [\".device\"]; command: bash tools/gpu-session.sh run \$OUT"
}

run() {
    local out=$1 deadline=${DEADLINE:-540} device=${DEVICE:-cuda} python=${PYTHON:-python3} started results cli data=.device/fashion-mnist cublas
    started=$(date +%s)
    results=$(mktemp -d)
    mkdir -p "$out" /tmp/cudanet-bin
    tar -xJf .device/cudanet.tar.xz -C /tmp/cudanet-bin
    cli=/tmp/cudanet-bin/cudanet/cudanet
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
