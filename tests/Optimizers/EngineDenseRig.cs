using CudaNet.Cpu;

namespace CudaNet.Tests.Optimizers;

/// <summary>
/// A Dense(3, 2) network on a float64 CPU backend with chosen weights, whose optimizer state is stepped with chosen
/// gradients: the optimizer classes exercised without a loss in between.
/// </summary>
internal sealed class EngineDenseRig : IDisposable
{
    private readonly CpuBackend<double> _backend;

    public EngineDenseRig(Optimizer optimizer, double[] weight, double[] bias, CpuKernels kernels = CpuKernels.Simd)
    {
        _backend = new CpuBackend<double>(kernels);
        Network = new Sequential(new Dense(3, 2)).Build(_backend);
        _backend.Upload(Network.NamedParameters[0].Parameter.Value, weight);
        _backend.Upload(Network.NamedParameters[1].Parameter.Value, bias);
        Optimizer = optimizer;
        State = optimizer.CreateState(Network);
    }

    public Network<double> Network { get; }
    public Optimizer Optimizer { get; }
    public OptimizerState<double> State { get; }

    /// <summary>Weight (row-major) then bias.</summary>
    public double[] Values => [.. _backend.ToArray(Network.NamedParameters[0].Parameter.Value),
        .. _backend.ToArray(Network.NamedParameters[1].Parameter.Value)];

    /// <summary>Applies update number <paramref name="step"/> with these gradients at the optimizer's base lr.</summary>
    public void Step(long step, double[] weightGradient, double[] biasGradient)
    {
        _backend.Upload(Network.NamedParameters[0].Parameter.Gradient, weightGradient);
        _backend.Upload(Network.NamedParameters[1].Parameter.Gradient, biasGradient);
        State.Step(Optimizer.LearningRate, step);
    }

    /// <summary>Copies parameters, state tensors and scalars from <paramref name="source"/> (a checkpoint in memory).</summary>
    public void RestoreFrom(EngineDenseRig source)
    {
        _backend.Upload(Network.Parameters, source._backend.ToArray(source.Network.Parameters));
        foreach (var (name, tensor) in source.State.Tensors)
            _backend.Upload(State.Tensors.Single(t => t.Name == name).Tensor, source._backend.ToArray(tensor));
        foreach (var (name, value) in source.State.Scalars) State.SetScalar(name, value);
    }

    public void Dispose()
    {
        State.Dispose();
        Network.Dispose();
        _backend.Dispose();
    }
}
