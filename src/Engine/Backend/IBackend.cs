using System.Numerics;

namespace CudaNet;

/// <summary>
/// The whole set of primitive operations (DESIGN.md §2). Layers, losses, optimizers and the trainer are written
/// once on top of it. Arguments come as outputs, then inputs, then sizes and hyperparameters; sizes are read
/// from the tensors' shapes and validated up front (an <see cref="ArgumentException"/> names the op, the
/// argument and the offending value). Every backend implements every op: the CPU reference (plain loops), the
/// SIMD CPU backend and the CUDA backend.
/// </summary>
/// <typeparam name="T">Compute type: <see cref="float"/> for training, <see cref="double"/> for gradient checks
/// (the CUDA backend is float only).</typeparam>
public interface IBackend<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Short name, e.g. <c>cpu</c>, <c>cpu-reference</c>, <c>cuda</c>.</summary>
    string Name { get; }

    /// <summary>Live allocations of this backend (count and bytes).</summary>
    AllocationCounter Allocations { get; }

    /// <summary>Whether ops may run from several threads at once on disjoint tensors (the CPU backend: yes; a
    /// backend with one device stream: no, callers serialise).</summary>
    bool SupportsConcurrentCalls { get; }

    // ---- memory -------------------------------------------------------------------------------------------

    /// <summary>Allocates a zero-filled tensor of the given shape.</summary>
    Tensor<TElement> Allocate<TElement>(params int[] shape) where TElement : unmanaged;

    /// <summary>Copies host data into a tensor; lengths must match.</summary>
    void Upload<TElement>(Tensor<TElement> destination, ReadOnlySpan<TElement> source) where TElement : unmanaged;

    /// <summary>Copies a tensor to host memory; lengths must match. Waits for pending work.</summary>
    void Download<TElement>(Tensor<TElement> source, Span<TElement> destination) where TElement : unmanaged;

    /// <summary>Waits until every queued op has finished (a no-op on the CPU).</summary>
    void Synchronize();

    // ---- elementwise and reductions ----------------------------------------------------------------------

    /// <summary>x[i] = value.</summary>
    void Fill(Tensor<T> x, double value);

    /// <summary>y[i] = x[i]; same length.</summary>
    void Copy(Tensor<T> y, Tensor<T> x);

    /// <summary>y[i] = α·x[i]; y may be x.</summary>
    void Scale(Tensor<T> y, Tensor<T> x, double alpha);

    /// <summary>y[i] += α·x[i].</summary>
    void Axpy(Tensor<T> y, Tensor<T> x, double alpha);

    /// <summary>result[0] = Σ x[i]² (NaN and ∞ propagate, which is how non-finite gradients are detected).</summary>
    void SquaredNorm(Tensor<T> result, Tensor<T> x);

    /// <summary>y[f] = Σ_n x[n, f] — x (N,F), y (F): bias gradients.</summary>
    void ColumnSum(Tensor<T> y, Tensor<T> x);

    /// <summary>y[n] = Σ_f x[n, f] — x (N,F), y (N).</summary>
    void RowSum(Tensor<T> y, Tensor<T> x);

    /// <summary>y[b, :] = x[indices[b], :] — x (R,F), indices (B) in [0, R), y (B,F): a mini-batch from a
    /// resident data set.</summary>
    void GatherRows(Tensor<T> y, Tensor<T> x, Tensor<int> indices);

    /// <summary>correct[0] += #{n : argmax_c logits[n, c] == labels[n]} — logits (N,C), labels (N); ties go to the
    /// first maximum and NaN counts as the largest value, as <c>torch.argmax</c>. Accumulates so an epoch's
    /// accuracy is read once. A label outside [0, C) throws <see cref="ArgumentOutOfRangeException"/> where the
    /// backend can see the labels (the CPU).</summary>
    void ArgMaxCountCorrect(Tensor<int> correct, Tensor<T> logits, Tensor<int> labels);

    // ---- dense layers ------------------------------------------------------------------------------------

    /// <summary>
    /// C = act(α·op(A)·op(B) + β·C + bias) with op(X) = Xᵀ when the flag is set; op(A) (M,K), op(B) (K,N),
    /// C (M,N), bias (N) broadcast over rows (optional). With <c>W</c> stored (out,in) a dense layer is
    /// <c>Y = X·Wᵀ + b</c>: <c>Gemm(Y, X, false, W, true, 1, 0, b, act)</c>.
    /// </summary>
    void Gemm(Tensor<T> c, Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, double alpha, double beta,
        Tensor<T>? bias = null, Activation epilogue = default);

    /// <summary>y = act(x), elementwise; y may be x.</summary>
    void ActivationForward(Tensor<T> y, Tensor<T> x, Activation activation);

    /// <summary>dx = dy ⊙ act'(x), given x and y = act(x) (each function uses whichever is cheaper); dx may be dy.</summary>
    void ActivationBackward(Tensor<T> dx, Tensor<T> dy, Tensor<T> x, Tensor<T> y, Activation activation);

    /// <summary>PReLU with one learnable slope per feature: y[n,f] = x for x &gt; 0, else α[f]·x — x (N,F), α (F).</summary>
    void PReLUForward(Tensor<T> y, Tensor<T> x, Tensor<T> alpha);

    /// <summary>dx = dy where x &gt; 0, else α[f]·dy; dα[f] = Σ_n dy·x over x ≤ 0 (overwritten, not accumulated).</summary>
    void PReLUBackward(Tensor<T> dx, Tensor<T> dAlpha, Tensor<T> dy, Tensor<T> x, Tensor<T> alpha);

    /// <summary>Row-wise softmax (numerically stable), for inference: x (N,C), y (N,C).</summary>
    void SoftmaxForward(Tensor<T> y, Tensor<T> x);

    // ---- normalisation -----------------------------------------------------------------------------------

    /// <summary>
    /// Fused batch-norm training forward over x (N,F), N &gt; 1: batch mean μ and biased variance σ² per feature,
    /// y = act(γ·(x-μ)/√(σ²+eps) + β), saves μ and 1/√(σ²+eps), and updates the running statistics with PyTorch's
    /// momentum form r = (1-m)·r + m·batch, where running variance takes the unbiased σ²·N/(N-1).
    /// <paramref name="activation"/> is Identity (plain batch norm) or ReLU (act(z) = max(z, 0), NaN propagating,
    /// bit-identical to a separate <see cref="ActivationForward"/>): a BatchNorm followed by a ReLU costs one pass.
    /// </summary>
    void BatchNormForwardTraining(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd,
        Tensor<T> runningMean, Tensor<T> runningVar, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta,
        double momentum, double eps, Activation activation = default);

    /// <summary>y = act(γ·(x - running mean)/√(running var + eps) + β); act is Identity or ReLU as in
    /// <see cref="BatchNormForwardTraining"/>.</summary>
    void BatchNormForwardInference(Tensor<T> y, Tensor<T> x, Tensor<T> gamma, Tensor<T> beta,
        Tensor<T> runningMean, Tensor<T> runningVar, double eps, Activation activation = default);

    /// <summary>
    /// Fused batch-norm backward from the saved statistics, with dz the gradient of the batch norm's output z:
    /// dγ = Σ dz·x̂, dβ = Σ dz, dx = γ·inv/N·(N·dz - dβ - x̂·dγ). With Identity dz = dy. With ReLU, dy is the
    /// gradient of act(z), <paramref name="y"/> (required, dy's shape; may be dx, not a shifted view of it) the
    /// forward's output act(z) = max(z, 0), and dz = (y ≤ 0 ? 0 : dy): the ReLU backward applied to y instead of z.
    /// Since y ≤ 0 exactly where z ≤ 0 and y is NaN exactly where z is, this equals a separate
    /// <see cref="ActivationBackward"/> bit for bit, NaN included: a NaN pre-activation passes dy, as PyTorch's
    /// threshold backward does (a mask of y &gt; 0 would have given 0 there).
    /// </summary>
    void BatchNormBackward(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T>? y = null, Activation activation = default);

    /// <summary>Layer norm over the features of each row: x (N,F), γ/β (F), saved statistics (N).</summary>
    void LayerNormForward(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, double eps);

    /// <summary>Layer-norm backward; dγ and dβ are overwritten.</summary>
    void LayerNormBackward(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd);

    /// <summary>Group norm: the F features of each row split into <paramref name="groups"/> contiguous groups of
    /// F/G, each normalised on its own; γ/β (F) per feature; saved statistics (N·G).</summary>
    void GroupNormForward(Tensor<T> y, Tensor<T> savedMean, Tensor<T> savedInvStd, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> beta, int groups, double eps);

    /// <summary>Group-norm backward; dγ and dβ are overwritten.</summary>
    void GroupNormBackward(Tensor<T> dx, Tensor<T> dGamma, Tensor<T> dBeta, Tensor<T> dy, Tensor<T> x,
        Tensor<T> gamma, Tensor<T> savedMean, Tensor<T> savedInvStd, int groups);

    // ---- stochastic ops (Philox4x32-10, bit-identical on every backend; DESIGN.md §6) -------------------

    /// <summary>Inverted dropout: y = x/(1-p) where Philox uniform u[i] ≥ p, else +0 (a dropped NaN or ∞ becomes 0,
    /// unlike PyTorch's multiplication by the mask); p in [0,1). The mask is a pure function of (seed, offset, i),
    /// so backward regenerates it instead of storing it.</summary>
    void DropoutForward(Tensor<T> y, Tensor<T> x, double p, ulong seed, ulong offset);

    /// <summary>dx = dy·m/(1-p) with the mask of the forward call with the same (seed, offset).</summary>
    void DropoutBackward(Tensor<T> dx, Tensor<T> dy, double p, ulong seed, ulong offset);

    /// <summary>DropConnect as in Wan et al. (2013): wMasked = w ⊙ m, unscaled, same mask rule as dropout. The
    /// op is linear in w, so applying it to the gradient of wMasked gives the gradient of w.</summary>
    void DropConnectMask(Tensor<T> wMasked, Tensor<T> w, double p, ulong seed, ulong offset);

    /// <summary>y = x + σ·z with z ~ N(0,1) from Philox by Box–Muller (portable math, so bit-identical).</summary>
    void AddGaussianNoise(Tensor<T> y, Tensor<T> x, double stddev, ulong seed, ulong offset);

    // ---- losses (mean over the batch; the gradient output is optional) ----------------------------------

    /// <summary>
    /// Fused, numerically stable softmax cross-entropy: logits (N,C), labels (N) in [0, C);
    /// loss[0] = mean_n -Σ_c q[n,c]·log softmax(x)[n,c] with q = (1-ε)·onehot + ε/C (PyTorch label smoothing);
    /// dLogits = (softmax - q)/N when given.
    /// </summary>
    void SoftmaxCrossEntropy(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<int> labels,
        double labelSmoothing = 0);

    /// <summary>loss[0] = mean (p - t)²; dPrediction = 2(p - t)/n when given.</summary>
    void MseLoss(Tensor<T> loss, Tensor<T>? dPrediction, Tensor<T> prediction, Tensor<T> target);

    /// <summary>loss[0] = mean max(x,0) - x·t + log(1 + e^-|x|); dLogits = (σ(x) - t)/n when given.</summary>
    void BinaryCrossEntropyWithLogits(Tensor<T> loss, Tensor<T>? dLogits, Tensor<T> logits, Tensor<T> target);

    // ---- fused optimizer updates over a flat parameter range (DESIGN.md §3, §4) --------------------------

    /// <summary>SGD with optional momentum/Nesterov; <paramref name="momentumBuffer"/> is required when momentum &gt; 0.</summary>
    void SgdUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, SgdSettings settings, UpdateStep step);

    /// <summary>Adagrad; <paramref name="sum"/> starts at the initial accumulator value.</summary>
    void AdagradUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, AdagradSettings settings, UpdateStep step);

    /// <summary>Adadelta with its two running averages.</summary>
    void AdadeltaUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta,
        AdadeltaSettings settings, UpdateStep step);

    /// <summary>RMSprop; <paramref name="gradAvg"/> is required when centered, <paramref name="momentumBuffer"/>
    /// when momentum &gt; 0.</summary>
    void RmsPropUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg,
        Tensor<T>? momentumBuffer, RmsPropSettings settings, UpdateStep step);

    /// <summary>Adam, AMSGrad (needs <paramref name="maxExpAvgSq"/>) and AdamW (decoupled decay in the step).</summary>
    void AdamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        Tensor<T>? maxExpAvgSq, AdamSettings settings, UpdateStep step);

    /// <summary>Adamax (infinity norm).</summary>
    void AdamaxUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf,
        AdamaxSettings settings, UpdateStep step);

    /// <summary>NAdam; <paramref name="muProduct"/> is Π_{i=1..t} μ_i including this step (see
    /// <see cref="NadamSettings.MuProduct"/>).</summary>
    void NadamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq,
        NadamSettings settings, UpdateStep step, double muProduct);

    // ---- device-resident step control (StepControl; no host read inside a training step) -----------------

    /// <summary>
    /// Begins a training step on the backend (one thread on a GPU): attempt i = attempts++; when
    /// <paramref name="squaredNorm"/>[0] = ‖g‖² or <paramref name="loss"/>[0] is NaN or ±∞ the step is skipped
    /// (skipped++, every record's applies = 0); otherwise t = ++step, the gradient factor is
    /// f = max/(‖g‖ + 1e-6) when clipping is planned and ‖g‖ &gt; max, else 1, NAdam's product becomes Πμ·μ_t, and
    /// each group's record receives, rounded to T, the coefficients the host-scalar update would use at
    /// <c>UpdateStep(lr_i, t, L1, L2, WeightDecay)</c> (computed in double by the same expressions as
    /// <c>UpdateCoefficients</c>, with β^t and μ_t from the powers <see cref="StepControl{T}.StartEpoch"/> uploaded).
    /// </summary>
    void BeginStep(StepControl<T> control, Tensor<T> squaredNorm, Tensor<T> loss);

    /// <summary>y[i] = x[i] when the step <see cref="BeginStep"/> last began was skipped, else nothing: restores
    /// state (BatchNorm running statistics) that a skipped step must leave untouched, without a host read.</summary>
    void CopyIfSkipped(Tensor<T> y, Tensor<T> x, StepControl<T> control);

    /// <summary>SGD from <paramref name="group"/>'s record of <paramref name="control"/>: nothing when the step is
    /// skipped, else the host-scalar update with g replaced by f·g (one rounded multiply).</summary>
    void SgdUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T>? momentumBuffer, StepControl<T> control, int group);

    /// <summary>Adagrad from a step-control record (see <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>).</summary>
    void AdagradUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> sum, StepControl<T> control, int group);

    /// <summary>Adadelta from a step-control record (see <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>).</summary>
    void AdadeltaUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T> accDelta, StepControl<T> control, int group);

    /// <summary>RMSprop from a step-control record (see <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>).</summary>
    void RmsPropUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> squareAvg, Tensor<T>? gradAvg, Tensor<T>? momentumBuffer,
        StepControl<T> control, int group);

    /// <summary>Adam / AMSGrad / AdamW from a step-control record (see
    /// <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>).</summary>
    void AdamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, Tensor<T>? maxExpAvgSq,
        StepControl<T> control, int group);

    /// <summary>Adamax from a step-control record (see <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>).</summary>
    void AdamaxUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expInf, StepControl<T> control, int group);

    /// <summary>NAdam from a step-control record, whose coefficients carry the μ product (see
    /// <see cref="SgdUpdate(Tensor{T}, Tensor{T}, Tensor{T}, StepControl{T}, int)"/>).</summary>
    void NadamUpdate(Tensor<T> parameters, Tensor<T> gradients, Tensor<T> expAvg, Tensor<T> expAvgSq, StepControl<T> control, int group);
}
