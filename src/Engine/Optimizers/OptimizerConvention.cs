namespace CudaNet;

/// <summary>Whose formulas and defaults an optimizer follows (DESIGN.md §4).</summary>
/// <remarks>
/// <see cref="Keras"/> reproduces Keras 3 (<c>keras.optimizers</c>) where the fused backend updates can express it
/// exactly: <see cref="Adam"/>/<see cref="AdamW"/> (eps added to √v rather than to √v̂), <see cref="Adagrad"/> (eps
/// inside the square root) and <see cref="Adadelta"/> (PyTorch's formula, Keras defaults). In every Keras-convention
/// optimizer <see cref="Optimizer.WeightDecay"/> is decoupled (θ -= lr·wd·θ before the step), as in Keras 3.
/// CudaNet still decays only the weights, where Keras decays every variable not excluded by name.
/// RMSprop (eps inside the root), Adamax (eps added after the max) and Nadam have no Keras form: their Keras
/// formulas are not expressible with the PyTorch-convention kernels.
/// </remarks>
public enum OptimizerConvention
{
    /// <summary>PyTorch's <c>torch.optim</c> (the project's golden convention).</summary>
    PyTorch,
    /// <summary>Keras 3's <c>keras.optimizers</c>.</summary>
    Keras,
}
