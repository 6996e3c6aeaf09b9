#!/usr/bin/env python3
"""The GPU report of `tools/gpu-session.sh run` (DESIGN.md §12): bench/results/<date>-gpu-<name>.{md,json}.

    python3 tools/gpu-report.py DIR [--output bench/results]

DIR holds the unpacked results.tar.gz: machine.txt, steps.txt and one <step>.out per step (ptxas, info, verify, train,
tests, bench, pytorch-mlp, pytorch-adam, train-no-graphs). A step that failed or did not run is reported as such, never invented.
The CPU accuracy that the GPU run must match (within 0.5 points) comes from the newest bench/results/*-cpu-*.json.
"""
import argparse, glob, json, os, re, sys


def load(folder, name):
    path = os.path.join(folder, f"{name}.out")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError):
        return None


def steady_seconds(run):
    """Mean epoch time without the first (JIT, graph capture, cuBLAS-free warm-up), as PyTorch's script reports."""
    seconds = [epoch["Seconds"] for epoch in run["history"]]
    steady = seconds[1:] if len(seconds) > 1 else seconds
    return sum(steady) / len(steady)


def cpu_baseline(results):
    reports = sorted(glob.glob(os.path.join(results, "*-cpu-*.json")))
    if not reports:
        return None
    with open(reports[-1]) as f:
        return os.path.basename(reports[-1]), json.load(f)["train"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--output", default="bench/results")
    args = parser.parse_args()
    folder = args.folder
    machine = open(os.path.join(folder, "machine.txt")).read()
    steps = open(os.path.join(folder, "steps.txt")).read()
    commit = re.search(r"commit (\S+)", machine)
    verify, train, bench = load(folder, "verify"), load(folder, "train"), load(folder, "bench")
    torch_mlp, torch_adam, no_graphs = load(folder, "pytorch-mlp"), load(folder, "pytorch-adam"), load(folder, "train-no-graphs")
    gpu = bench.get("gpu") or bench.get("cpu") if bench else (machine.splitlines()[2].split(",")[0] if len(machine.splitlines()) > 2 else "unknown")
    date = (bench or {}).get("date") or re.search(r"date (\d{4}-\d\d-\d\d)", machine).group(1)
    name = f"{date}-gpu-{re.sub(r'[^a-z0-9]+', '-', gpu.lower()).strip('-')}"
    lines = [f"# GPU report {date} (commit {commit.group(1)[:7] if commit else 'unknown'})", "",
             f"Device: {gpu}" + (f", driver {bench['driver']}, compute capability {bench['compute_capability']}, PTX {bench['ptx']}, "
                                 f"cuBLAS: {bench['cublas']}" if bench and "driver" in bench else ""),
             "", "Command: `bash tools/gpu-session.sh run $OUT` on the GPU machine, then `python3 tools/gpu-report.py DIR`.", "",
             "```", machine.strip(), steps.strip(), "```", ""]

    ptxas = os.path.join(folder, "ptxas.out")
    if os.path.exists(ptxas):
        text = open(ptxas).read()
        kernels = re.findall(r"Compiling entry function '(\w+)' for '(\w+)'.*?(\d+) bytes spill stores, (\d+) bytes spill loads.*?Used (\d+) registers",
                             text, flags=re.S)
        lines += ["## ptxas (registers and spills per kernel, as the JIT will compile them)", ""]
        if kernels:
            lines += ["| kernel | target | registers | spill stores | spill loads |", "|---|---|---|---|---|"]
            lines += [f"| {k} | {t} | {r} | {st} | {ld} |" for k, t, st, ld, r in kernels]
        errors = [l for l in text.splitlines() if "error" in l.lower()]
        lines += [""] + ([f"ptxas errors: {len(errors)}", "```", *errors[:20], "```"] if errors else ["No ptxas errors."]) + [""]

    lines += ["## Conformance (`cudanet verify --device cuda`)", ""]
    if verify:
        failed = [c for c in verify["checks"] if not c["passed"]]
        lines.append(f"{verify['total'] - len(failed)} of {verify['total']} checks passed"
                     + (f"; failed ops: {', '.join(sorted({c['op'] for c in failed}))}" if failed else "") + ".")
        for check in failed[:40]:
            lines.append(f"- {check['op']} {check['case']} {check['output']}: {check.get('failure')}")
    else:
        lines.append("Did not produce a result (see the steps above).")

    summary = {}
    lines += ["", "## Test suite (the self-contained `CudaNet.Tests`, all but the tests that start `dotnet`)", ""]
    tests_path = os.path.join(folder, "tests.out")
    if os.path.exists(tests_path):
        text = open(tests_path).read()
        counts = dict(re.findall(r"^\s+(total|failed|succeeded|skipped): (\d+)", text, flags=re.M))
        summary["tests"] = {k: int(v) for k, v in counts.items()}
        lines.append(", ".join(f"{k} {v}" for k, v in counts.items()) + "." if counts else "No summary (see tests.out).")
        failed = re.findall(r"^failed (.+?) \(", text, flags=re.M)
        lines += [f"- failed: {name}" for name in failed[:60]]
    else:
        lines.append("Did not run.")

    lines += ["", "## Training (`cudanet train --device cuda`, full Fashion-MNIST, default model)", ""]
    baseline = cpu_baseline(args.output)
    if train:
        summary["train"] = {"test_accuracy": train["test_accuracy"], "seconds_per_epoch": train["seconds_per_epoch"],
                            "steady_seconds_per_epoch": steady_seconds(train), "epochs": train["epochs_run"]}
        lines += ["| run | test accuracy | s/epoch (all) | s/epoch (after the first) | samples/s | epochs |", "|---|---|---|---|---|---|",
                  f"| CudaNet, graphs | {train['test_accuracy']:.4f} | {train['seconds_per_epoch']:.3f} | {steady_seconds(train):.3f} | "
                  f"{train['samples_per_second']:.0f} | {train['epochs_run']} |"]
        if no_graphs:
            lines.append(f"| CudaNet, --no-graphs | {no_graphs['test_accuracy']:.4f} | {no_graphs['seconds_per_epoch']:.3f} | "
                         f"{steady_seconds(no_graphs):.3f} | {no_graphs['samples_per_second']:.0f} | {no_graphs['epochs_run']} |")
            summary["graph_speedup"] = steady_seconds(no_graphs) / steady_seconds(train)
        if torch_mlp:
            lines.append(f"| {torch_mlp['framework']} eager, data on the GPU | {torch_mlp['test_accuracy']:.4f} | | "
                         f"{torch_mlp['seconds_per_epoch']:.3f} | {torch_mlp['samples_per_second']:.0f} | {torch_mlp['epochs']} |")
            ratio = torch_mlp["seconds_per_epoch"] / steady_seconds(train)
            points = 100 * (train["test_accuracy"] - torch_mlp["test_accuracy"])
            summary["vs_pytorch"] = {"ratio": ratio, "accuracy_points": points}
            lines += ["", f"PyTorch seconds / CudaNet seconds per epoch (both after the first epoch; ours includes the validation pass): "
                          f"**{ratio:.2f}×** (target ≥ 3×); accuracy difference {points:+.2f} points (target within 0.5)."]
        if train.get("graphs"):
            g = train["graphs"]
            lines.append(f"Training graph: {g['captures']} capture(s), {g['replays']} replays, {g['updated_nodes']} kernel-node updates "
                         f"({g['updated_nodes'] / max(g['replays'], 1):.1f} per replay), {g['commands']} commands per step"
                         + (f"; TURNED OFF: {g['disabled']}" if g.get("disabled") else "") + ".")
        if "graph_speedup" in summary:
            on_cpu = train["device"].startswith("cpu")
            lines.append(f"Graphs vs one launch per kernel: {summary['graph_speedup']:.2f}× per epoch"
                         + (" (a CPU dry run: graphs change nothing there, so this is run-to-run noise)." if on_cpu else "."))
        if baseline:
            points = 100 * (train["test_accuracy"] - baseline[1]["test_accuracy"])
            summary["vs_cpu_points"] = points
            lines.append(f"Against the CPU run of `{baseline[0]}` (test accuracy {baseline[1]['test_accuracy']:.4f}): {points:+.2f} points "
                         "(target within 0.5).")
    else:
        lines.append("Did not produce a result (see the steps above).")

    lines += ["", "## Roofline (`cudanet bench --device cuda`)", ""]
    rows = list((bench or {}).get("rows", [])) + list((torch_adam or {}).get("rows", []))
    if rows:
        lines += ["| op | shape | ours | reference | ratio | target | % peak | |", "|---|---|---|---|---|---|---|---|"]
        for r in rows:
            fmt = lambda v, spec: "" if v is None else format(v, spec)
            lines.append(f"| {r['op']} | {r['shape']} | {r['rate']:.1f} {r['unit']} | {fmt(r.get('reference_rate'), '.1f')} "
                         f"({r.get('reference', '')}) | {fmt(r.get('ratio'), '.2f')} | {fmt(r.get('target'), '.2f')} | "
                         f"{fmt(r.get('peak_percent'), '.0f')} | {r.get('verdict', '')} |")
    else:
        lines.append("Did not produce a result (see the steps above).")

    ours_adam = {r["shape"]: r for r in (bench or {}).get("rows", []) if r["op"] == "adam step (cudanet)"}
    theirs_adam = {r["shape"]: r for r in (torch_adam or {}).get("rows", [])}
    if ours_adam and theirs_adam:
        lines += ["", "## One Adam step (both timed alike: 10 warm-up steps, median of 50, CUDA events, no L2 flush)", "",
                  "| parameters | CudaNet | PyTorch | ratio (target ≥ 1.0) |", "|---|---|---|---|"]
        summary["adam_step"] = {}
        for shape, ours in ours_adam.items():
            if shape in theirs_adam:
                theirs = theirs_adam[shape]
                ratio = theirs["seconds"] / ours["seconds"]
                summary["adam_step"][shape] = ratio
                lines.append(f"| {shape} | {ours['seconds'] * 1e6:.1f} µs ({ours['rate']:.0f} GB/s) | {theirs['seconds'] * 1e6:.1f} µs "
                             f"({theirs['rate']:.0f} GB/s, {theirs['op']}) | {ratio:.2f} |")

    os.makedirs(args.output, exist_ok=True)
    base = os.path.join(args.output, name)
    with open(base + ".json", "w") as f:
        json.dump({"date": date, "commit": commit.group(1) if commit else None, "machine": machine, "steps": steps,
                   "summary": summary, "verify": verify, "train": train, "train_no_graphs": no_graphs, "bench": bench,
                   "pytorch_mlp": torch_mlp, "pytorch_adam": torch_adam}, f, indent=2)
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {base}.md and {base}.json", file=sys.stderr)


if __name__ == "__main__":
    main()
