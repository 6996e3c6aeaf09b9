# Golden values for tests/Losses/LossGoldenTests.cs, from PyTorch 1.13 in float64.
# Run: /usr/bin/python3 tests/golden/losses.py
# Prints each case's mean loss and the gradient of the loss w.r.t. the input (row-major) as C# literals.
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
INF = math.inf


def literal(values):
    def one(v):
        if math.isinf(v):
            return "double.PositiveInfinity" if v > 0 else "double.NegativeInfinity"
        return repr(v)
    return "[" + ", ".join(one(v) for v in values) + "]"


def report(name, x, loss):
    loss.backward()
    print(f"// {name}")
    print(f"loss {repr(loss.item())}")
    print(f"grad {literal(x.grad.flatten().tolist())}")


def cross_entropy(name, logits, labels, smoothing):
    x = torch.tensor(logits, requires_grad=True)
    report(name, x, F.cross_entropy(x, torch.tensor(labels), label_smoothing=smoothing))


def mse(name, prediction, target):
    x = torch.tensor(prediction, requires_grad=True)
    report(name, x, F.mse_loss(x, torch.tensor(target)))


def bce(name, logits, target):
    x = torch.tensor(logits, requires_grad=True)
    report(name, x, F.binary_cross_entropy_with_logits(x, torch.tensor(target)))


print(f"// torch {torch.__version__}")

BASIC = [[0.5, -1.25, 2.0, 0.0], [3.5, 1.0, -2.0, 0.75], [-0.3, -0.1, 0.2, -4.0]]
BASIC_LABELS = [2, 0, 3]
cross_entropy("cross_entropy basic eps=0", BASIC, BASIC_LABELS, 0.0)
cross_entropy("cross_entropy basic eps=0.1", BASIC, BASIC_LABELS, 0.1)

HUGE = [[1e30, -1e30, 0.0], [-1e30, 1e30, 1e30], [5.0, -1e30, 4.0]]
HUGE_LABELS = [0, 2, 2]
cross_entropy("cross_entropy huge eps=0", HUGE, HUGE_LABELS, 0.0)
cross_entropy("cross_entropy huge eps=0.1", HUGE, HUGE_LABELS, 0.1)

NEG_INF = [[-INF, 1.5, -0.5], [0.25, -INF, -INF], [1.0, 2.0, 3.0]]
NEG_INF_LABELS = [1, 0, 0]
cross_entropy("cross_entropy -inf eps=0", NEG_INF, NEG_INF_LABELS, 0.0)
cross_entropy("cross_entropy -inf eps=0.1", NEG_INF, NEG_INF_LABELS, 0.1)

cross_entropy("cross_entropy batch of 1 eps=0.1", [[0.5, -1.25, 2.0]], [1], 0.1)

mse("mse_loss", [[0.5, -1.25, 2.0], [3.5, 1.0, -2.0]], [[0.0, -1.0, 2.5], [3.0, -0.5, -2.0]])

bce("binary_cross_entropy_with_logits soft",
    [[0.5, -1.25, 2.0, 0.0], [3.5, 1.0, -2.0, 0.75]],
    [[1.0, 0.0, 0.25, 0.5], [0.9, 0.1, 0.0, 1.0]])
bce("binary_cross_entropy_with_logits extreme",
    [1e30, -1e30, -30.0, 30.0, 2.0, 1e30],
    [1.0, 0.0, 1.0, 0.0, 0.3, 1.0])
