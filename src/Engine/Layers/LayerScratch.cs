using System.Numerics;

namespace CudaNet;

/// <summary>
/// A scratch tensor sized for the largest batch, handing out views for the current number of rows; the view is
/// kept while the row count stays the same, so a steady stream of equal batches creates no objects.
/// </summary>
internal sealed class RowScratch<T>(IBackend<T> backend, int perRow) : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _storage;
    private Tensor<T>? _view;
    private int _capacity;

    /// <summary>Grows the storage to <paramref name="maxRows"/> rows (keeps it when it already fits).</summary>
    public void Reserve(int maxRows)
    {
        if (maxRows <= _capacity) return;
        _storage?.Dispose();
        _storage = backend.Allocate<T>(checked(maxRows * perRow));
        (_capacity, _view) = (maxRows, null);
    }

    /// <summary>A (rows, perRow) view; reserves on demand when the runtime was never reserved for that many rows.</summary>
    public Tensor<T> Rows(int rows)
    {
        if (rows > _capacity) Reserve(rows);
        if (_view is null || _view.Rows != rows) _view = _storage!.View(0, rows, perRow);
        return _view;
    }

    public void Dispose()
    {
        _storage?.Dispose();
        (_storage, _view, _capacity) = (null, null, 0);
    }
}

/// <summary>
/// Exact elementwise product r = a ⊙ b composed from an existing op, since the backend contract has no multiply:
/// <see cref="IBackend{T}.PReLUBackward"/> on the two-row batch x = [b; -b], dy = [a; -a] writes
/// dα[f] = Σ_n dy·x over x ≤ 0. Exactly one row has x ≤ 0 unless b = 0 (then both add a·0), so dα = a ⊙ b with
/// one rounding, NaN and ∞ propagating as in a plain product. Costs a few passes over 2·L elements.
/// </summary>
internal sealed class ElementwiseProduct<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IBackend<T> _backend;
    private readonly Tensor<T> _x, _dy, _dx, _slopes;
    private int _length = -1;
    private Tensor<T> _xView = null!, _dyView = null!, _dxView = null!, _slopesView = null!, _xTop = null!, _xBottom = null!,
        _dyTop = null!, _dyBottom = null!;

    /// <summary>Scratch for products of up to <paramref name="capacity"/> elements.</summary>
    public ElementwiseProduct(IBackend<T> backend, int capacity)
    {
        _backend = backend;
        Capacity = capacity;
        _x = backend.Allocate<T>(2 * capacity);
        _dy = backend.Allocate<T>(2 * capacity);
        _dx = backend.Allocate<T>(2 * capacity);
        _slopes = backend.Allocate<T>(capacity);
    }

    /// <summary>Largest product length.</summary>
    public int Capacity { get; }

    /// <summary>result = a ⊙ b, all of one length ≤ <see cref="Capacity"/>; result must not overlap the scratch.</summary>
    public void Multiply(Tensor<T> result, Tensor<T> a, Tensor<T> b)
    {
        int length = a.Length;
        if (length == 0) return;
        if (length != _length)
        {
            _xView = _x.View(0, 2, length);
            _dyView = _dy.View(0, 2, length);
            _dxView = _dx.View(0, 2, length);
            _slopesView = _slopes.View(0, length);
            (_xTop, _xBottom) = (_x.View(0, length), _x.View(length, length));
            (_dyTop, _dyBottom) = (_dy.View(0, length), _dy.View(length, length));
            _length = length;
        }
        _backend.Copy(_xTop, b);
        _backend.Scale(_xBottom, b, -1);
        _backend.Copy(_dyTop, a);
        _backend.Scale(_dyBottom, a, -1);
        _backend.PReLUBackward(_dxView, result, _dyView, _xView, _slopesView);
    }

    public void Dispose()
    {
        _x.Dispose();
        _dy.Dispose();
        _dx.Dispose();
        _slopes.Dispose();
    }
}
