using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CudaNet.Cpu.Elementwise;

/// <summary>
/// y[f] = Σ_n x[n, f] — x (N,F), y (F): the bias gradient of a dense layer. Napkin math: reads 4NF bytes
/// (float32), writes 4F, NF flops.
/// </summary>
internal static class ColumnSumKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>From this many columns on, threads split the columns: each column is still summed over all
    /// rows in row order by one thread, so the result is the single-threaded one.</summary>
    private const int WideColumns = 1024;

    /// <summary>Fewest columns one thread takes in the column split (whole cache lines of every row).</summary>
    private const int MinColumnsPerChunk = 256;

    /// <summary>Most row blocks of a narrow matrix (bounds the partial-sum buffer to MaxRowBlocks·F).</summary>
    private const int MaxRowBlocks = 64;

    /// <summary>The reference: each column's running sum in T, rows in order.</summary>
    public static void Reference(Tensor<T> y, Tensor<T> x)
    {
        Span<T> ys = CpuBackend<T>.Span(y);
        ReadOnlySpan<T> xs = CpuBackend<T>.Span(x);
        int rows = x.Shape[0], columns = x.Shape[1];
        for (int f = 0; f < columns; f++)
        {
            T sum = T.Zero;
            for (int n = 0; n < rows; n++) sum += xs[n * columns + f];
            ys[f] = sum;
        }
    }

    public static void Simd(CpuBackend<T> backend, Tensor<T> y, Tensor<T> x)
    {
        int rows = x.Shape[0], columns = x.Shape[1];
        if (rows == 0)
        {
            CpuBackend<T>.Span(y).Clear();
            return;
        }
        // The path depends only on the shape (never on the thread count), so neither does the rounding.
        if (columns >= WideColumns || x.Length < 2 * Chunked.ElementGrain)
        {
            int grain = Math.Max(MinColumnsPerChunk, Chunked.ItemGrain(rows));
            Chunked.For(backend, columns, grain, new ColumnChunk(y, x));
            return;
        }
        // Narrow and tall: threads take fixed blocks of rows whose partial sums are combined in block order.
        int rowsPerBlock = Math.Max(Chunked.ItemGrain(columns), (rows + MaxRowBlocks - 1) / MaxRowBlocks);
        int blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        T[] partials = ArrayPool<T>.Shared.Rent(blocks * columns);
        try
        {
            Chunked.For(backend, blocks, 1, new RowBlockChunk(x, partials, rowsPerBlock));
            Span<T> ys = CpuBackend<T>.Span(y);
            partials.AsSpan(0, columns).CopyTo(ys);
            for (int block = 1; block < blocks; block++) AddTo(ys, partials.AsSpan(block * columns, columns));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(partials);
        }
    }

    /// <summary>destination[c] = Σ_{n in [firstRow, endRow)} x[n, firstColumn + c], rows in order.</summary>
    private static void SumRows(Span<T> destination, ReadOnlySpan<T> x, int columns, int firstRow, int endRow,
        int firstColumn)
    {
        int width = destination.Length, vectorEnd = width - width % Vector<T>.Count;
        // Checked once here rather than per row: narrow matrices have many short rows.
        ReadOnlySpan<T> rows = x.Slice(firstRow * columns + firstColumn, (endRow - firstRow - 1) * columns + width);
        rows[..width].CopyTo(destination);
        ref T sum = ref MemoryMarshal.GetReference(destination);
        for (int n = 1; n < endRow - firstRow; n++)
        {
            ref T row = ref Unsafe.Add(ref MemoryMarshal.GetReference(rows), n * columns);
            int c = 0;
            for (; c < vectorEnd; c += Vector<T>.Count)
                (Vector.LoadUnsafe(ref sum, (nuint)c) + Vector.LoadUnsafe(ref row, (nuint)c)).StoreUnsafe(ref sum, (nuint)c);
            for (; c < width; c++) Unsafe.Add(ref sum, c) += Unsafe.Add(ref row, c);
        }
    }

    private static void AddTo(Span<T> destination, ReadOnlySpan<T> source)
    {
        var dv = MemoryMarshal.Cast<T, Vector<T>>(destination);
        var sv = MemoryMarshal.Cast<T, Vector<T>>(source);
        for (int i = 0; i < sv.Length; i++) dv[i] += sv[i];
        for (int i = sv.Length * Vector<T>.Count; i < source.Length; i++) destination[i] += source[i];
    }

    private readonly struct ColumnChunk(Tensor<T> y, Tensor<T> x) : IRangeBody
    {
        public void Run(int start, int end) =>
            SumRows(CpuBackend<T>.Span(y).Slice(start, end - start), CpuBackend<T>.Span(x), x.Shape[1], 0, x.Shape[0],
                start);
    }

    private readonly struct RowBlockChunk(Tensor<T> x, T[] partials, int rowsPerBlock) : IRangeBody
    {
        public void Run(int start, int end)
        {
            int rows = x.Shape[0], columns = x.Shape[1];
            for (int block = start; block < end; block++)
            {
                int firstRow = block * rowsPerBlock;
                SumRows(partials.AsSpan(block * columns, columns), CpuBackend<T>.Span(x), columns, firstRow,
                    Math.Min(rows, firstRow + rowsPerBlock), 0);
            }
        }
    }
}
