#!/usr/bin/env python3
"""PyTorch side of "one Adam step over a model's flat parameters" (issue "GPU performance").

Times optimizer.step() of torch.optim.Adam (lr 1e-3, PyTorch defaults) over one flat float32 parameter of 1M and
100M elements with a fixed gradient, using fused=True on CUDA when this PyTorch has it (else foreach=True, and the
row says so), timed with CUDA events after a warm-up, the median of the repeats. Prints JSON in the shape of
`cudanet bench --json` (rows: op, shape, unit, seconds, rate, reference, ...), the rate in GB/s from the kernels.cu
napkin math of adam_update: 28 bytes per element (reads w, g, m, v; writes w, m, v). Usage:

    python3 bench/pytorch/adam_step.py [--device cuda] [--repeats 50] [--sizes 1000000 100000000]
"""
import argparse, datetime, inspect, json, statistics, time

import torch

BYTES_PER_ELEMENT = 28


def make_optimizer(parameter, device):
    """Adam with the fastest implementation this PyTorch offers on the device, and its name."""
    signature = inspect.signature(torch.optim.Adam.__init__).parameters
    if device.type == "cuda" and "fused" in signature:
        return torch.optim.Adam([parameter], lr=1e-3, fused=True), "fused"
    if "foreach" in signature:
        return torch.optim.Adam([parameter], lr=1e-3, foreach=True), "foreach"
    return torch.optim.Adam([parameter], lr=1e-3), "single-tensor"


def time_steps(optimizer, device, repeats):
    """Median seconds of one step: CUDA events on the GPU, perf_counter on the CPU."""
    samples = []
    for _ in range(repeats):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            optimizer.step()
            end.record()
            end.synchronize()
            samples.append(start.elapsed_time(end) / 1e3)
        else:
            begin = time.perf_counter()
            optimizer.step()
            samples.append(time.perf_counter() - begin)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 100_000_000])
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    rows = []
    for n in args.sizes:
        parameter = torch.nn.Parameter(torch.rand(n, device=device) * 2 - 1)
        parameter.grad = torch.rand(n, device=device) * 2 - 1
        optimizer, kind = make_optimizer(parameter, device)
        for _ in range(args.warmup):
            optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time_steps(optimizer, device, args.repeats)
        rate = BYTES_PER_ELEMENT * n / seconds / 1e9
        rows.append({
            "op": f"adam step (pytorch {kind})", "shape": f"{n} params", "unit": "GB/s", "seconds": seconds,
            "rate": rate, "reference": f"torch.optim.Adam({kind}=True)" if kind != "single-tensor" else "torch.optim.Adam",
            "reference_rate": None, "ratio": None, "target": None, "verdict": "",
        })
        del optimizer, parameter
        if device.type == "cuda":
            torch.cuda.empty_cache()
    document = {
        "device": device.type, "framework": f"pytorch {torch.__version__}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"), "rows": rows,
    }
    if device.type == "cuda":
        document["gpu"] = torch.cuda.get_device_name(device)
        document["cuda"] = torch.version.cuda
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
