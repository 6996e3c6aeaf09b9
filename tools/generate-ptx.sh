#!/usr/bin/env bash
# Regenerates the committed PTX from kernels.cu (DESIGN.md §5): src/Kernels/kernels.sm_75.ptx (every op runs on
# it) and src/Kernels/kernels.sm_80.ptx (adds tensor-core kernels), with clang-19 and no CUDA SDK.
#
#   tools/generate-ptx.sh [output-dir]     output-dir defaults to src/Kernels; CLANG overrides the compiler
#
# The output must be byte-identical on every machine, because a test regenerates it into a temporary folder and
# compares: the compiler runs from the repository root on a relative path, and any absolute path that still
# reached the PTX is stripped.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clang="${CLANG:-clang-19}"
if ! command -v "$clang" > /dev/null 2>&1; then
    echo "generate-ptx.sh: '$clang' not found. Install clang 19 (Debian/Ubuntu: apt-get install clang-19)" \
        "or set CLANG to its path." >&2
    exit 2
fi

mkdir -p "${1:-$root/src/Kernels}"
out="$(cd "${1:-$root/src/Kernels}" && pwd)"
cd "$root"
root_pattern="$(printf '%s' "$root" | sed 's/[][\\.*^$#]/\\&/g')"

for arch in sm_75 sm_80; do
    target="$out/kernels.$arch.ptx"
    # The flags of DESIGN.md §5; -Wall -Werror keep warnings out of the shipped code.
    "$clang" -x cuda --cuda-device-only -nocudainc -nocudalib -O3 -Xclang -target-feature -Xclang +ptx70 \
        --cuda-gpu-arch="$arch" -Wall -Werror -S -o "$target.tmp" kernels.cu
    sed -e "s#$root_pattern/##g" -e "s/\r$//" "$target.tmp" > "$target"
    rm "$target.tmp"
    echo "wrote $target"
done
