"""Golden values for ArgMaxCountCorrect (tests/Elementwise/ArgMaxCountCorrectTests.cs): torch.argmax over rows
with ties, signed zeros, infinities and NaN. Run with PyTorch 1.13: /usr/bin/python3 tests/golden/argmax.py"""
import torch

nan, inf = float("nan"), float("inf")
rows = [
    [1, nan, 3, nan],
    [2, 2, 1, 0],
    [-inf, -inf, -inf, -inf],
    [inf, 3, inf, 1],
    [1, 2, 3, nan],
    [nan, nan, 0, 0],
    [0, 5, 5, 5],
    [-0.0, 0.0, -1, -2],
]
# Rows wider than a vector: NaN at 20 beats the maximum 30 at 30; a tie between 9 and 33.
wide_nan = [float(c) for c in range(37)]
wide_nan[20] = nan
wide_tie = [0.0] * 37
wide_tie[9] = wide_tie[33] = 4.0
rows += [wide_nan, wide_tie]

for row in rows:
    print(int(torch.argmax(torch.tensor([row], dtype=torch.float32), dim=1)[0]))
