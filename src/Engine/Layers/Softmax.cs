using System.Numerics;

namespace CudaNet;

/// <summary>
/// Row-wise softmax, PyTorch <c>nn.Softmax(dim = 1)</c> on (N, C) batches: y = e^x / Σ_c e^x (numerically stable,
/// <see cref="IBackend{T}.SoftmaxForward"/>). Meant for inference outputs: to train a classifier, end the model
/// with logits and use <see cref="Loss.SoftmaxCrossEntropy"/>, which is fused, cheaper and more accurate.
/// The backward pass is still exact, dx = y ⊙ (dy - Σ_c dy ⊙ y): the backend has no op for it, so it is composed
/// from existing ones (an exact elementwise product built on <see cref="IBackend{T}.PReLUBackward"/>, a row sum and a
/// rank-1 GEMM), at the cost of a few passes over the batch and scratch of about 8·N·C values.
/// </summary>
public sealed class Softmax : Layer
{
    /// <inheritdoc/>
    public override int OutputFeatures(int inputFeatures)
    {
        if (inputFeatures < 1)
            throw new ArgumentOutOfRangeException(nameof(inputFeatures), inputFeatures, "Softmax: needs at least one feature.");
        return inputFeatures;
    }

    /// <inheritdoc/>
    public override LayerRuntime<T> Build<T>(LayerContext<T> context) => new Runtime<T>(context.Backend, OutputFeatures(context.InputFeatures));

    private sealed class Runtime<T> : LayerRuntime<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly IBackend<T> _backend;
        private readonly Tensor<T> _ones;
        private readonly RowScratch<T> _products, _shifted, _rowSums;
        private ElementwiseProduct<T>? _multiply;

        public Runtime(IBackend<T> backend, int features)
        {
            (_backend, OutputFeatures) = (backend, features);
            _ones = backend.Allocate<T>(1, features);
            backend.Fill(_ones, 1);
            _products = new RowScratch<T>(backend, features);
            _shifted = new RowScratch<T>(backend, features);
            _rowSums = new RowScratch<T>(backend, 1);
        }

        public override int OutputFeatures { get; }

        public override void Reserve(int maxRows)
        {
            _products.Reserve(maxRows);
            _shifted.Reserve(maxRows);
            _rowSums.Reserve(maxRows);
            if (_multiply is null || _multiply.Capacity < maxRows * OutputFeatures)
            {
                _multiply?.Dispose();
                _multiply = new ElementwiseProduct<T>(_backend, checked(maxRows * OutputFeatures));
            }
        }

        public override void Forward(Tensor<T> x, Tensor<T> y, bool training) => _backend.SoftmaxForward(y, x);

        public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx)
        {
            if (dx is null) return;
            int rows = x.Rows;
            if (_multiply is null || _multiply.Capacity < rows * OutputFeatures) Reserve(rows);
            var (products, shifted, rowSums) = (_products.Rows(rows), _shifted.Rows(rows), _rowSums.Rows(rows));
            _multiply!.Multiply(products, y, dy);
            _backend.RowSum(rowSums, products);
            // shifted = dy - s·1ᵀ: a rank-1 update subtracts each row's Σ dy ⊙ y from every element of the row.
            _backend.Copy(shifted, dy);
            _backend.Gemm(shifted, rowSums, false, _ones, false, -1, 1);
            _multiply.Multiply(dx, y, shifted);
        }

        protected override void Dispose(bool disposing)
        {
            _ones.Dispose();
            _products.Dispose();
            _shifted.Dispose();
            _rowSums.Dispose();
            _multiply?.Dispose();
        }
    }
}
