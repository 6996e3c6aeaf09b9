"""Golden values for tests/Normalization/GoldenTests.cs (PyTorch 1.13, float64).

Run with the system interpreter that has PyTorch: /usr/bin/python3 tests/golden/normalization.py
Prints C# array literals: BatchNorm1d (training forward, saved statistics, running statistics after one and
two steps, inference, backward), LayerNorm and GroupNorm (forward, saved statistics, backward).
"""
import torch

torch.set_default_dtype(torch.float64)
EPS, MOMENTUM = 1e-5, 0.1


def cs(name, t):
    values = ", ".join(repr(float(v)) for v in t.detach().reshape(-1))
    print(f"    internal static readonly double[] {name} = [{values}];")


def t(rows):
    return torch.tensor(rows, dtype=torch.float64)


# Batch norm: x (4,3), a second batch x2 for the second running-statistics step.
x = t([[0.5, -1.25, 3.0], [1.5, 0.75, -2.0], [-0.25, 2.0, 0.5], [2.25, -0.5, 1.0]])
x2 = t([[1.0, 0.0, -1.0], [3.0, 0.5, 2.5], [-2.0, 1.5, 0.0], [0.5, -3.0, 4.0]])
gamma3 = t([1.5, -0.75, 2.0])
beta3 = t([0.25, 0.5, -1.0])
dy3 = t([[0.3, -0.2, 1.1], [-0.7, 0.4, 0.25], [1.2, 0.9, -0.6], [0.05, -1.3, 0.8]])

bn = torch.nn.BatchNorm1d(3, eps=EPS, momentum=MOMENTUM)
with torch.no_grad():
    bn.weight.copy_(gamma3)
    bn.bias.copy_(beta3)
bn.train()
xb = x.clone().requires_grad_(True)
y = bn(xb)
y.backward(dy3)
print("    // BatchNorm1d(3, eps 1e-5, momentum 0.1), weight = Gamma3, bias = Beta3, running stats start at 0 and 1")
cs("BnX", x)
cs("BnX2", x2)
cs("Gamma3", gamma3)
cs("Beta3", beta3)
cs("BnDy", dy3)
cs("BnY", y)
_, save_mean, save_invstd = torch.native_batch_norm(x, gamma3, beta3, None, None, True, MOMENTUM, EPS)
cs("BnSavedMean", save_mean)
cs("BnSavedInvStd", save_invstd)
cs("BnRunningMean1", bn.running_mean)
cs("BnRunningVar1", bn.running_var)
cs("BnDx", xb.grad)
cs("BnDGamma", bn.weight.grad)
cs("BnDBeta", bn.bias.grad)
with torch.no_grad():
    bn(x2)
cs("BnRunningMean2", bn.running_mean)
cs("BnRunningVar2", bn.running_var)
bn.eval()
with torch.no_grad():
    cs("BnInference", bn(x))

# Layer norm over the 3 features of each row of x.
ln = torch.nn.LayerNorm(3, eps=EPS)
with torch.no_grad():
    ln.weight.copy_(gamma3)
    ln.bias.copy_(beta3)
xl = x.clone().requires_grad_(True)
y = ln(xl)
y.backward(dy3)
_, mean, rstd = torch.native_layer_norm(x, [3], gamma3, beta3, EPS)
print("    // LayerNorm(3, eps 1e-5) on BnX, weight = Gamma3, bias = Beta3, dy = BnDy")
cs("LnY", y)
cs("LnSavedMean", mean)
cs("LnSavedInvStd", rstd)
cs("LnDx", xl.grad)
cs("LnDGamma", ln.weight.grad)
cs("LnDBeta", ln.bias.grad)

# Group norm: GroupNorm(2, 6) on x (4,6), i.e. 2 contiguous groups of 3 features per row.
xg = t([[0.5, -1.25, 3.0, 0.0, 1.75, -0.5],
        [1.5, 0.75, -2.0, 2.5, -1.0, 0.25],
        [-0.25, 2.0, 0.5, -3.0, 0.125, 4.0],
        [2.25, -0.5, 1.0, 1.0, 0.75, -1.5]])
gamma6 = t([1.5, -0.75, 2.0, 0.5, 1.25, -1.0])
beta6 = t([0.25, 0.5, -1.0, 0.0, 0.75, -0.25])
dy6 = t([[0.3, -0.2, 1.1, 0.6, -0.4, 0.15],
         [-0.7, 0.4, 0.25, -1.1, 0.2, 0.9],
         [1.2, 0.9, -0.6, 0.35, 0.05, -0.8],
         [0.05, -1.3, 0.8, 0.45, -0.9, 0.1]])
gn = torch.nn.GroupNorm(2, 6, eps=EPS)
with torch.no_grad():
    gn.weight.copy_(gamma6)
    gn.bias.copy_(beta6)
xgr = xg.clone().requires_grad_(True)
y = gn(xgr)
y.backward(dy6)
_, mean, rstd = torch.native_group_norm(xg, gamma6, beta6, 4, 6, 1, 2, EPS)
print("    // GroupNorm(2, 6, eps 1e-5) on GnX (4,6), weight = Gamma6, bias = Beta6, dy = GnDy")
cs("GnX", xg)
cs("Gamma6", gamma6)
cs("Beta6", beta6)
cs("GnDy", dy6)
cs("GnY", y)
cs("GnSavedMean", mean)
cs("GnSavedInvStd", rstd)
cs("GnDx", xgr.grad)
cs("GnDGamma", gn.weight.grad)
cs("GnDBeta", gn.bias.grad)
