#!/usr/bin/env bash
# Measures the CPU rows of the performance issues on this machine, side by side in one session, and writes
# bench/results/<date>-cpu-<host>.{json,md}: `cudanet bench --device cpu`, one default `cudanet train` on the full
# Fashion-MNIST, and PyTorch's side of the same training (bench/pytorch/mlp_epoch.py, Debian's python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
date=$(date -u +%Y-%m-%d)
name="$date-cpu-$(nproc)core"
threads=$(nproc)
tmp=$(mktemp -d)
dotnet build -c Release src/Cli >/dev/null
cli="dotnet src/Cli/bin/Release/net10.0/cudanet.dll"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
$cli bench --device cpu --json --threads "$threads" > "$tmp/bench.json"
$cli train --json --output "$tmp/run" > "$tmp/train.json"
/usr/bin/python3 bench/pytorch/mlp_epoch.py --epochs 10 --threads "$threads" > "$tmp/pytorch.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$tmp" "$out/$name" "$(git rev-parse --short HEAD)" "$date" <<'PY'
import json, sys, platform
tmp, base, commit, date = sys.argv[1:]
bench = json.load(open(f"{tmp}/bench.json"))
train = json.load(open(f"{tmp}/train.json"))
torch = json.load(open(f"{tmp}/pytorch.json"))
report = {"date": date, "commit": commit, "cpu": bench["cpu"], "threads": bench["threads"],
          "command": "bash bench/cpu-report.sh", "bench": bench, "train": train, "pytorch": torch}
json.dump(report, open(base + ".json", "w"), indent=2)
lines = [f"# CPU report {date} (commit {commit})", "",
         f"Machine: {bench['cpu']}, {bench['threads']} threads. Command: `bash bench/cpu-report.sh`.", "",
         "## Roofline rows (`cudanet bench --device cpu`)", "",
         "| op | shape | ours | reference | ratio | target | |", "|---|---|---|---|---|---|---|"]
for r in bench["rows"]:
    ref = "" if r["reference_rate"] is None else f"{r['reference_rate']:.1f}"
    ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
    target = "" if r["target"] is None else f"{r['target']:.2f}"
    lines.append(f"| {r['op']} | {r['shape']} | {r['rate']:.1f} {r['unit']} | {ref} ({r['reference']}) | {ratio} | {target} | {r['verdict']} |")
t, p = train, torch
lines += ["", "## One epoch of the default model (784-512-512-10, BN, dropout 0.2, Adam, batch 128)", "",
          "| | seconds/epoch | samples/s | test accuracy | epochs |", "|---|---|---|---|---|",
          f"| CudaNet `cudanet train` ({t['device']}) | {t['seconds_per_epoch']:.2f} | {t['samples_per_second']:.0f} | {t['test_accuracy']:.4f} | {t['epochs_run']} |",
          f"| {p['framework']} ({p['threads']} threads) | {p['seconds_per_epoch']:.2f} | {p['samples_per_second']:.0f} | {p['test_accuracy']:.4f} | {p['epochs']} |",
          "", f"Ratio (PyTorch seconds / CudaNet seconds): {p['seconds_per_epoch'] / t['seconds_per_epoch']:.2f}×."]
open(base + ".md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
