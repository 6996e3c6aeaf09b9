using System.Numerics;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Verification;

/// <summary>Which of the two backends a call runs on.</summary>
internal enum Side
{
    /// <summary>The backend under test.</summary>
    Actual,
    /// <summary>The float32 plain-loop CPU reference.</summary>
    Reference,
}

/// <summary>A tensor of one verification case as the harness sees it, whatever its element type.</summary>
internal interface ITwinTensor : IDisposable
{
    /// <summary>The op's argument name.</summary>
    string Name { get; }

    /// <summary>How the output is compared; null for an input, which must come back unchanged.</summary>
    VerificationTolerance? Tolerance { get; }

    /// <summary>Compares the backend under test with the reference, guards included.</summary>
    VerificationRow Compare(string op, string caseName);

    /// <summary>Null when the backend under test left the whole buffer (view and guards) as uploaded, else why not.</summary>
    string? Unchanged();
}

/// <summary>
/// The same data on both backends: a view of <see cref="Guard"/> + length + <see cref="Guard"/> elements whose guards
/// hold a sentinel, so writes outside the view are caught (also for empty tensors) and views at an offset are
/// exercised. The guard is 64 bytes for 4-byte elements, so the views stay 16-byte aligned for vector loads.
/// </summary>
internal sealed class TwinTensor<TElement> : ITwinTensor where TElement : unmanaged, INumberBase<TElement>
{
    /// <summary>Sentinel elements on each side of the view.</summary>
    internal const int Guard = 16;

    private static readonly TElement Sentinel = TElement.CreateTruncating(-12345.5);
    private readonly IBackend<float> _actualBackend, _referenceBackend;
    private readonly Tensor<TElement> _actualBuffer, _referenceBuffer;
    private readonly TElement[] _uploaded;

    public TwinTensor(IBackend<float> actual, IBackend<float> reference, string name, TElement[] data, int[] shape,
        VerificationTolerance? tolerance)
    {
        Name = name;
        Tolerance = tolerance;
        _actualBackend = actual;
        _referenceBackend = reference;
        _uploaded = new TElement[data.Length + 2 * Guard];
        _uploaded.AsSpan().Fill(Sentinel);
        data.CopyTo(_uploaded, Guard);
        _referenceBuffer = reference.FromArray(_uploaded);
        ReferenceTensor = _referenceBuffer.View(Guard, shape);
        _actualBuffer = actual.FromArray(_uploaded);
        ActualTensor = _actualBuffer.View(Guard, shape);
    }

    public string Name { get; }

    public VerificationTolerance? Tolerance { get; }

    /// <summary>The view on the backend under test.</summary>
    public Tensor<TElement> ActualTensor { get; }

    /// <summary>The view on the reference.</summary>
    public Tensor<TElement> ReferenceTensor { get; }

    /// <summary>The view on one side.</summary>
    public Tensor<TElement> this[Side side] => side == Side.Actual ? ActualTensor : ReferenceTensor;

    public VerificationRow Compare(string op, string caseName) =>
        Comparison.Compare(op, caseName, Name, Tolerance ?? VerificationTolerance.BitExact,
            _actualBackend.ToArray(_actualBuffer), _referenceBackend.ToArray(_referenceBuffer), Guard);

    public string? Unchanged()
    {
        var now = _actualBackend.ToArray(_actualBuffer);
        if (MemoryMarshal.AsBytes(now.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(_uploaded.AsSpan()))) return null;
        int first = 0;
        while (MemoryMarshal.AsBytes(now.AsSpan(first, 1)).SequenceEqual(MemoryMarshal.AsBytes(_uploaded.AsSpan(first, 1)))) first++;
        string where = first < Guard || first >= now.Length - Guard ? "a guard element next to" : "element " + (first - Guard) + " of";
        return $"changed {where} '{Name}' ({_uploaded[first]} became {now[first]})";
    }

    public void Dispose()
    {
        _actualBuffer.Dispose();
        _referenceBuffer.Dispose();
    }
}
