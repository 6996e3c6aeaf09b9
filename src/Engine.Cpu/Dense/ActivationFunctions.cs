using System.Numerics;
using System.Runtime.CompilerServices;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// One activation as an operator struct (TensorPrimitives style): the scalar methods are the reference
/// formulas, the vector methods compute the same function on <see cref="Vector{T}"/>. Backward receives dy,
/// x and y = act(x) and uses whichever is natural. Comparisons follow PyTorch's kernels, so the derivative at
/// a kink and the gradient at a NaN input match PyTorch (ReLU'(0) = 0, LeakyReLU'(0) = α, ELU'(0) = α).
/// </summary>
internal interface IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Forward(T x);
    Vector<T> Forward(Vector<T> x);
    T Backward(T dy, T x, T y);
    Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y);
}

internal readonly struct IdentityFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => x;
    public Vector<T> Forward(Vector<T> x) => x;
    public T Backward(T dy, T x, T y) => dy;
    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y) => dy;
}

/// <summary>max(x, 0), NaN propagating (IEEE maximum, as <c>torch.relu</c>); gradient 0 where x ≤ 0.</summary>
internal readonly struct ReLUFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => T.Max(x, T.Zero);
    public Vector<T> Forward(Vector<T> x) => Vector.Max(x, Vector<T>.Zero);
    public T Backward(T dy, T x, T y) => x <= T.Zero ? T.Zero : dy;
    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y) =>
        Vector.ConditionalSelect(Vector.LessThanOrEqual(x, Vector<T>.Zero), Vector<T>.Zero, dy);
}

internal readonly struct LeakyReLUFunction<T>(T slope) : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => x > T.Zero ? x : slope * x;
    public Vector<T> Forward(Vector<T> x) =>
        Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), x, x * slope);
    public T Backward(T dy, T x, T y) => x > T.Zero ? dy : slope * dy;
    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y) =>
        Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), dy, dy * slope);
}

/// <summary>σ(x); the backward pass uses y: σ' = y(1 - y), as PyTorch.</summary>
internal readonly struct SigmoidFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => Sigmoid(x);
    public Vector<T> Forward(Vector<T> x) => VectorMath<T>.Sigmoid(x);
    public T Backward(T dy, T x, T y) => dy * y * (T.One - y);
    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y) => dy * y * (Vector<T>.One - y);

    /// <summary>Overflow-free σ: e = e^-|x| never exceeds 1 (see <see cref="VectorMath{T}.Sigmoid"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid(T x)
    {
        T e = T.Exp(-T.Abs(x));
        return x >= T.Zero ? T.One / (T.One + e) : e / (T.One + e);
    }
}

/// <summary>tanh(x); the backward pass uses y: tanh' = 1 - y², as PyTorch.</summary>
internal readonly struct TanhFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => T.Tanh(x);
    public Vector<T> Forward(Vector<T> x) => VectorMath<T>.Tanh(x);
    public T Backward(T dy, T x, T y) => dy * (T.One - y * y);
    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y) => dy * (Vector<T>.One - y * y);
}

/// <summary>x for x &gt; 0, else α(e^x - 1); the backward pass uses x: α·e^x where x ≤ 0 (PyTorch's form).</summary>
internal readonly struct EluFunction<T>(T alpha) : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Forward(T x) => x > T.Zero ? x : alpha * T.ExpM1(x);
    // No vector expm1: e^x - 1 loses relative accuracy near 0 (absolute error ~1e-7 in float, within parity).
    // e^x overflows for large positive x, but those lanes take x.
    public Vector<T> Forward(Vector<T> x) =>
        Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<T>.Zero), x, (VectorMath<T>.Exp(x) - Vector<T>.One) * alpha);
    public T Backward(T dy, T x, T y) => x <= T.Zero ? dy * alpha * T.Exp(x) : dy;
    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y) =>
        Vector.ConditionalSelect(Vector.LessThanOrEqual(x, Vector<T>.Zero), dy * alpha * VectorMath<T>.Exp(x), dy);
}

/// <summary>
/// GELU, tanh approximation: 0.5·x·(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), evaluated as the identical
/// x·σ(2u), which avoids the cancellation in 1 + tanh(u) for negative x. The derivative is
/// σ(2u) + x·σ(2u)σ(-2u)·2u'; where σ(2u)σ(-2u) underflows to 0 the second term is taken as 0, so huge |x|
/// gives the limits 1 and 0 where PyTorch's float kernel computes 0·∞ = NaN.
/// </summary>
internal readonly struct GeluFunction<T> : IActivationFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T TwoSqrtTwoOverPi = T.CreateTruncating(2 * 0.7978845608028654);
    private static readonly T Kappa = T.CreateTruncating(0.044715);
    private static readonly T ThreeKappa = T.CreateTruncating(3 * 0.044715);

    public T Forward(T x) => x * SigmoidFunction<T>.Sigmoid(TwoSqrtTwoOverPi * (x + Kappa * x * x * x));

    public Vector<T> Forward(Vector<T> x) => x * VectorMath<T>.Sigmoid(x * (Vector<T>.One + x * x * Kappa) * TwoSqrtTwoOverPi);

    public T Backward(T dy, T x, T y)
    {
        T v = TwoSqrtTwoOverPi * (x + Kappa * x * x * x);
        // With e = e^-|v|: σ(v) = 1/(1+e) or e/(1+e), and σ(v)σ(-v) = e/(1+e)², accurate in both tails.
        T e = T.Exp(-T.Abs(v)), positive = T.One / (T.One + e);
        T s = v >= T.Zero ? positive : e * positive;
        T sPrime = e * positive * positive;
        T dv = TwoSqrtTwoOverPi * (T.One + ThreeKappa * x * x);
        return dy * (sPrime == T.Zero ? s : s + x * sPrime * dv);
    }

    public Vector<T> Backward(Vector<T> dy, Vector<T> x, Vector<T> y)
    {
        var v = x * (Vector<T>.One + x * x * Kappa) * TwoSqrtTwoOverPi;
        var e = VectorMath<T>.Exp(-Vector.Abs(v));
        var positive = Vector<T>.One / (Vector<T>.One + e);
        var s = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(v, Vector<T>.Zero), positive, e * positive);
        var sPrime = e * positive * positive;
        var dv = (Vector<T>.One + x * x * ThreeKappa) * TwoSqrtTwoOverPi;
        var slope = Vector.ConditionalSelect(Vector.Equals(sPrime, Vector<T>.Zero), Vector<T>.Zero, x * sPrime * dv);
        return dy * (s + slope);
    }
}
