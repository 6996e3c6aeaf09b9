# Golden values for tests/Dense/ActivationGoldenTests.cs: forward y = act(x) and derivative dy/dx (backward
# with dy = 1) of every activation, computed in float64 with PyTorch 1.13.
# Run: /usr/bin/python3 tests/golden/activations.py   (prints the C# literals pasted into the test)
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
xs = [-20.0, -3.0, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 3.0, 20.0]

activations = [
    ("Identity", "Activation.Identity", lambda t: t),
    ("ReLU", "Activation.ReLU", F.relu),
    ("LeakyReLU", "Activation.LeakyReLU()", lambda t: F.leaky_relu(t)),
    ("LeakyReLU02", "Activation.LeakyReLU(0.2)", lambda t: F.leaky_relu(t, 0.2)),
    ("Sigmoid", "Activation.Sigmoid", torch.sigmoid),
    ("Tanh", "Activation.Tanh", torch.tanh),
    ("Elu", "Activation.Elu()", F.elu),
    ("Elu05", "Activation.Elu(0.5)", lambda t: F.elu(t, 0.5)),
    ("Gelu", "Activation.Gelu", lambda t: F.gelu(t, approximate="tanh")),
]


def literal(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


print(f"    private static readonly double[] X = {literal(xs)};")
print()
print("    private static readonly (Activation Activation, double[] Y, double[] Derivative)[] Golden =")
print("    [")
for _, expression, f in activations:
    x = torch.tensor(xs, requires_grad=True)
    y = f(x)
    (dx,) = torch.autograd.grad(y.sum(), x)
    print(f"        ({expression},")
    print(f"            {literal(y.tolist())},")
    print(f"            {literal(dx.tolist())}),")
print("    ];")
