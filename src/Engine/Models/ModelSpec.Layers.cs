using System.Text.Json.Nodes;

namespace CudaNet;

public static partial class ModelSpec
{
    /// <summary>
    /// One entry per layer type in src/Engine/Layers: kind, hyperparameters out, layer back. Field names follow
    /// PyTorch's argument names where it has them; optional fields fall back to the constructor's defaults.
    /// </summary>
    private static void RegisterBuiltIns()
    {
        Register<Dense>("Dense",
            d => new() { ["inputs"] = d.Inputs, ["outputs"] = d.Outputs, ["bias"] = d.HasBias, ["weight_noise"] = d.WeightNoise,
                         ["regularizer"] = ToJson(d.Regularizer) },
            a => new Dense(a.Int("inputs"), a.Int("outputs"), a.Bool("bias", true), regularizer: a.Regularizer("regularizer"),
                weightNoise: a.Double("weight_noise", 0)));
        Register<BatchNorm>("BatchNorm",
            b => new() { ["features"] = b.Features, ["eps"] = b.Eps, ["momentum"] = b.Momentum },
            a => new BatchNorm(a.Int("features"), a.Double("eps", 1e-5), a.Double("momentum", 0.1)));
        Register<Dropout>("Dropout", d => new() { ["p"] = d.P }, a => new Dropout(a.Double("p", 0.5)));
        Register<LayerNorm>("LayerNorm", l => new() { ["features"] = l.Features, ["eps"] = l.Eps },
            a => new LayerNorm(a.Int("features"), a.Double("eps", 1e-5)));
        Register<GroupNorm>("GroupNorm", g => new() { ["groups"] = g.Groups, ["features"] = g.Features, ["eps"] = g.Eps },
            a => new GroupNorm(a.Int("groups"), a.Int("features"), a.Double("eps", 1e-5)));
        Register<PReLU>("PReLU", p => new() { ["features"] = p.Features, ["init"] = p.Init },
            a => new PReLU(a.Int("features"), a.Double("init", 0.25)));
        Register<Softmax>("Softmax", _ => [], _ => new Softmax());
        Register<GaussianNoise>("GaussianNoise", g => new() { ["stddev"] = g.StdDev }, a => new GaussianNoise(a.Double("stddev")));
        Register<DropConnect>("DropConnect",
            d => new()
            {
                ["inputs"] = d.Inputs, ["outputs"] = d.Outputs, ["p"] = d.P, ["inference"] = d.Inference.ToString(),
                ["samples"] = d.Samples, ["activation"] = d.Activation.Kind.ToString(), ["alpha"] = d.Activation.Alpha,
                ["bias"] = d.HasBias, ["regularizer"] = ToJson(d.Regularizer),
            },
            a => new DropConnect(a.Int("inputs"), a.Int("outputs"), a.Double("p", 0.5),
                ParseEnum<DropConnectInference>(a.String("inference", nameof(DropConnectInference.WeightScaling)), "inference rule"),
                a.Int("samples", 100), new Activation(ParseEnum<ActivationKind>(a.String("activation", "ReLU"), "activation function"), a.Double("alpha", 0)),
                a.Bool("bias", true), regularizer: a.Regularizer("regularizer")));

        Register<ReLU>("ReLU", _ => [], _ => new ReLU());
        Register<Sigmoid>("Sigmoid", _ => [], _ => new Sigmoid());
        Register<Tanh>("Tanh", _ => [], _ => new Tanh());
        Register<Gelu>("Gelu", _ => [], _ => new Gelu());
        Register<LeakyReLU>("LeakyReLU", l => new() { ["negative_slope"] = l.Activation.Alpha },
            a => new LeakyReLU(a.Double("negative_slope", 0.01)));
        Register<Elu>("Elu", e => new() { ["alpha"] = e.Activation.Alpha }, a => new Elu(a.Double("alpha", 1.0)));
        Register<ActivationLayer>("Activation",
            l => new() { ["function"] = l.Activation.Kind.ToString(), ["alpha"] = l.Activation.Alpha },
            a => new ActivationLayer(new Activation(ParseEnum<ActivationKind>(a.String("function"), "activation function"), a.Double("alpha", 0))));
    }

    private static JsonObject? ToJson(Regularizer? regularizer) => regularizer is null ? null
        : new() { ["l1"] = regularizer.L1, ["l2"] = regularizer.L2, ["include_biases"] = regularizer.IncludeBiases };

    private static TEnum ParseEnum<TEnum>(string name, string what) where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(name, ignoreCase: false, out var value) && Enum.IsDefined(value) && !int.TryParse(name, out _)
            ? value
            : throw new ArgumentException($"unknown {what} '{name}' ({string.Join(", ", Enum.GetNames<TEnum>())}).");
}
