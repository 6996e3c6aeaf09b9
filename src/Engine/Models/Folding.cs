using System.Numerics;

namespace CudaNet;

/// <summary>
/// Folds each BatchNorm that directly follows a Dense layer into that layer for inference (DESIGN.md §4,
/// <c>BatchNorm.FoldInto(Dense)</c>): with s = γ/√(running_var + eps) per output feature,
/// W' = diag(s)·W (row o of W scaled by s[o]) and b' = (b − running_mean)·s + β, so the folded Dense computes what
/// Dense then BatchNorm compute in evaluation mode, with one GEMM fewer pass over the activations.
/// </summary>
public static class Folding
{
    /// <summary>
    /// A new network (on the same backend, with the same seed) in which every Dense → BatchNorm pair is one Dense
    /// with a bias; other layers keep their parameters, buffers and counters. Meant for inference: the folded model
    /// has fewer layers, so its state-dict names and its stochastic layers' Philox streams are renumbered.
    /// </summary>
    public static Network<T> FoldBatchNorm<T>(this Network<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        var source = network.Model.Layers;
        var layers = new List<Layer>();
        var origins = new List<int>();
        for (int i = 0; i < source.Count; i++)
        {
            origins.Add(i);
            if (source[i] is Dense d && i + 1 < source.Count && source[i + 1] is BatchNorm)
            {
                layers.Add(new Dense(d.Inputs, d.Outputs, bias: true, d.WeightInit, d.BiasInit, d.Regularizer, d.WeightNoise));
                i++;
            }
            else
            {
                layers.Add(source[i]);
            }
        }
        var folded = new Sequential(layers.ToArray()).Build(network.Backend, network.Seed);
        try
        {
            var from = Tensors(network);
            var to = Tensors(folded);
            for (int j = 0; j < layers.Count; j++)
            {
                int i = origins[j];
                if (!ReferenceEquals(layers[j], source[i])) FoldPair(network, from, to, i, j, (BatchNorm)source[i + 1]);
                else Copy(network, folded, from, to, i, j);
            }
            return folded;
        }
        catch
        {
            folded.Dispose();
            throw;
        }
    }

    private static void FoldPair<T>(Network<T> network, Dictionary<string, Tensor<T>> from, Dictionary<string, Tensor<T>> to,
        int dense, int target, BatchNorm norm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = network.Backend;
        double[] Read(string name) => backend.ToArray(from[name]).Select(double.CreateTruncating).ToArray();
        var weight = Read($"{dense}.weight");
        int outputs = norm.Features, inputs = weight.Length / outputs;
        var bias = from.ContainsKey($"{dense}.bias") ? Read($"{dense}.bias") : new double[outputs];
        int bn = dense + 1;
        var (gamma, beta) = (Read($"{bn}.weight"), Read($"{bn}.bias"));
        var (mean, variance) = (Read($"{bn}.running_mean"), Read($"{bn}.running_var"));
        var newWeight = new T[weight.Length];
        var newBias = new T[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + norm.Eps);
            for (int k = 0; k < inputs; k++) newWeight[o * inputs + k] = T.CreateTruncating(weight[o * inputs + k] * scale);
            newBias[o] = T.CreateTruncating((bias[o] - mean[o]) * scale + beta[o]);
        }
        backend.Upload(to[$"{target}.weight"], newWeight);
        backend.Upload(to[$"{target}.bias"], newBias);
    }

    private static void Copy<T>(Network<T> network, Network<T> folded, Dictionary<string, Tensor<T>> from,
        Dictionary<string, Tensor<T>> to, int layer, int target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string prefix = $"{layer}.";
        foreach (var (name, tensor) in from.Where(n => n.Key.StartsWith(prefix, StringComparison.Ordinal)))
            network.Backend.Copy(to[$"{target}.{name[prefix.Length..]}"], tensor);
        foreach (var counter in network.Layers[layer].Counters) folded.Layers[target].SetCounter(counter.Name, counter.Value);
    }

    private static Dictionary<string, Tensor<T>> Tensors<T>(Network<T> network) where T : unmanaged, IFloatingPointIeee754<T> =>
        network.NamedParameters.Select(p => (p.Name, p.Parameter.Value))
            .Concat(network.NamedBuffers.Select(b => (b.Name, b.Buffer.Value)))
            .ToDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal);
}
