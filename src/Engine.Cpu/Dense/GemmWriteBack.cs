using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CudaNet.Cpu.Dense;

/// <summary>
/// How a micro-kernel folds its accumulator (one depth slice of α·op(A)·op(B)) into C:
/// the first slice writes α·acc + β·C (β = 0: α·acc, C unread), later slices add α·acc to C, and the last slice
/// then adds the bias and applies ReLU in registers (other activations run over the tile right after, still in L1).
/// The same arithmetic, in the same order, for every vector width and for the scalar edge tiles.
/// </summary>
internal readonly ref struct GemmWriteBack<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public readonly T Alpha, Beta;
    public readonly bool First, Last, HasBias, Relu;
    /// <summary>bias[column 0 of the tile]; a null ref when there is no bias.</summary>
    public readonly ref readonly T Bias;

    public GemmWriteBack(T alpha, T beta, bool first, bool last, ref readonly T bias, bool hasBias, bool relu)
    {
        Alpha = alpha;
        Beta = beta;
        First = first;
        Last = last;
        Bias = ref bias;
        HasBias = hasBias && last;
        Relu = relu && last;
    }

    /// <summary>Stores the raw accumulator (α = 1, nothing else): for edge tiles that go through a scratch tile.</summary>
    public static GemmWriteBack<T> Raw => new(T.One, T.Zero, first: true, last: false, ref Unsafe.NullRef<T>(), false, false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T c, Vector512<T> acc, int column)
    {
        var value = acc * Alpha;
        if (!First) value += Vector512.LoadUnsafe(ref c);
        else if (Beta != T.Zero) value += Vector512.LoadUnsafe(ref c) * Beta;
        if (HasBias) value += Vector512.LoadUnsafe(ref Unsafe.AsRef(in Bias), (nuint)column);
        if (Relu) value = Vector512.Max(value, Vector512<T>.Zero);
        value.StoreUnsafe(ref c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T c, Vector256<T> acc, int column)
    {
        var value = acc * Alpha;
        if (!First) value += Vector256.LoadUnsafe(ref c);
        else if (Beta != T.Zero) value += Vector256.LoadUnsafe(ref c) * Beta;
        if (HasBias) value += Vector256.LoadUnsafe(ref Unsafe.AsRef(in Bias), (nuint)column);
        if (Relu) value = Vector256.Max(value, Vector256<T>.Zero);
        value.StoreUnsafe(ref c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref T c, Vector<T> acc, int column)
    {
        var value = acc * Alpha;
        if (!First) value += Vector.LoadUnsafe(ref c);
        else if (Beta != T.Zero) value += Vector.LoadUnsafe(ref c) * Beta;
        if (HasBias) value += Vector.LoadUnsafe(ref Unsafe.AsRef(in Bias), (nuint)column);
        if (Relu) value = Vector.Max(value, Vector<T>.Zero);
        value.StoreUnsafe(ref c);
    }

    /// <summary>The scalar form, for the valid part of an edge tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply(T acc, T c, int column)
    {
        T value = acc * Alpha;
        if (!First) value += c;
        else if (Beta != T.Zero) value += c * Beta;
        if (HasBias) value += Unsafe.Add(ref Unsafe.AsRef(in Bias), column);
        if (Relu) value = T.Max(value, T.Zero);
        return value;
    }
}
