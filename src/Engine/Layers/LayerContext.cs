using System.Numerics;

namespace CudaNet;

/// <summary>What a parameter is, which decides its defaults: weights are decayed and penalised; biases and
/// normalisation parameters are not (DESIGN.md §4).</summary>
public enum ParameterRole
{
    /// <summary>A weight matrix: decayed, penalised by the layer's regulariser.</summary>
    Weight,
    /// <summary>A bias: neither decayed nor penalised by default.</summary>
    Bias,
    /// <summary>A normalisation scale or shift (γ, β) or a PReLU slope: neither decayed nor penalised.</summary>
    Normalization,
}

/// <summary>A trainable parameter: views of its values and gradient in the network's flat buffers.</summary>
public sealed class Parameter<T> where T : unmanaged
{
    internal Parameter(string name, int[] shape, ParameterRole role, Initializer init, int fanIn, int fanOut, Regularizer? regularizer)
    {
        (Name, Shape, Role, Init, FanIn, FanOut, Regularizer) = (name, shape, role, init, fanIn, fanOut, regularizer);
    }

    /// <summary>Name inside its layer (<c>weight</c>, <c>bias</c>); the state-dict key is "index.name".</summary>
    public string Name { get; }
    /// <summary>Dimensions.</summary>
    public int[] Shape { get; }
    /// <summary>Role, deciding decay and penalties.</summary>
    public ParameterRole Role { get; }
    /// <summary>How it starts.</summary>
    public Initializer Init { get; }
    /// <summary>Fans for the initialiser.</summary>
    public int FanIn { get; }
    /// <summary>Fans for the initialiser.</summary>
    public int FanOut { get; }
    /// <summary>L1/L2 penalty applied to it (null: none).</summary>
    public Regularizer? Regularizer { get; }
    /// <summary>The values (a view of the network's parameter buffer), set when the network is laid out.</summary>
    public Tensor<T> Value { get; internal set; } = null!;
    /// <summary>The gradient (a view of the network's gradient buffer).</summary>
    public Tensor<T> Gradient { get; internal set; } = null!;
}

/// <summary>A non-trainable tensor saved with the model (running statistics).</summary>
public sealed class ModelBuffer<T> where T : unmanaged
{
    internal ModelBuffer(string name, int[] shape, double fill) => (Name, Shape, Fill) = (name, shape, fill);

    /// <summary>Name inside its layer (<c>running_mean</c>…).</summary>
    public string Name { get; }
    /// <summary>Dimensions.</summary>
    public int[] Shape { get; }
    /// <summary>Initial value of every element.</summary>
    public double Fill { get; }
    /// <summary>The values, set when the network is laid out.</summary>
    public Tensor<T> Value { get; internal set; } = null!;
}

/// <summary>
/// Handed to <see cref="Layer.Build{T}"/>: the backend, the layer's position and input size, and the means to
/// declare parameters and buffers, which the network then lays out in flat buffers.
/// </summary>
public sealed class LayerContext<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal LayerContext(IBackend<T> backend, int index, int inputFeatures, ulong seed)
    {
        Backend = backend;
        Index = index;
        InputFeatures = inputFeatures;
        Seed = seed;
    }

    /// <summary>The backend the layer runs on.</summary>
    public IBackend<T> Backend { get; }
    /// <summary>Position in the model (the state-dict prefix).</summary>
    public int Index { get; }
    /// <summary>Features per example of the input.</summary>
    public int InputFeatures { get; }
    /// <summary>Seed of the model; stochastic layers derive their Philox keys from it and <see cref="Index"/>.</summary>
    public ulong Seed { get; }

    /// <summary>The activation of the next layer that this layer applies to its own output (Identity: none), as
    /// <see cref="LayerFusion"/> decides; only BatchNorm fuses (ReLU).</summary>
    internal Activation FusedActivation { get; set; }

    internal List<Parameter<T>> Parameters { get; } = [];
    internal List<ModelBuffer<T>> Buffers { get; } = [];

    /// <summary>Declares a trainable parameter.</summary>
    public Parameter<T> AddParameter(string name, int[] shape, ParameterRole role, Initializer init, int fanIn, int fanOut,
        Regularizer? regularizer = null)
    {
        var parameter = new Parameter<T>(name, shape, role, init, fanIn, fanOut, regularizer);
        Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>Declares a buffer filled with <paramref name="fill"/>.</summary>
    public ModelBuffer<T> AddBuffer(string name, int[] shape, double fill)
    {
        var buffer = new ModelBuffer<T>(name, shape, fill);
        Buffers.Add(buffer);
        return buffer;
    }
}
