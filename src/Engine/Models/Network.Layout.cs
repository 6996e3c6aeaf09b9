namespace CudaNet;

public sealed partial class Network<T>
{
    private (Tensor<T>, Tensor<T>, ParameterGroup[], (string, Parameter<T>)[]) LayOutParameters(List<LayerContext<T>> contexts)
    {
        var named = contexts.SelectMany(c => c.Parameters.Select(p => ($"{c.Index}.{p.Name}", p))).ToArray();
        // Group by (decay, penalties) in order of first appearance; each group is one contiguous range.
        var groups = named.GroupBy(n => GroupKey(n.p)).ToArray();
        int total = checked(named.Sum(n => Tensor<T>.ShapeLength(n.p.Shape)));
        var parameters = Backend.Allocate<T>(Math.Max(total, 0));
        var gradients = Backend.Allocate<T>(Math.Max(total, 0));
        var ranges = new List<ParameterGroup>();
        int offset = 0;
        foreach (var group in groups)
        {
            int start = offset;
            foreach (var (_, p) in group)
            {
                p.Value = parameters.View(offset, p.Shape);
                p.Gradient = gradients.View(offset, p.Shape);
                offset += p.Value.Length;
            }
            var (decay, l1, l2) = group.Key;
            ranges.Add(new ParameterGroup(start, offset - start, decay, l1, l2));
        }
        return (parameters, gradients, ranges.ToArray(), named);
    }

    private static (bool Decay, double L1, double L2) GroupKey(Parameter<T> p) =>
        (p.Role == ParameterRole.Weight, p.Regularizer?.L1 ?? 0, p.Regularizer?.L2 ?? 0);

    private (Tensor<T>?, (string, ModelBuffer<T>)[]) LayOutBuffers(List<LayerContext<T>> contexts)
    {
        var named = contexts.SelectMany(c => c.Buffers.Select(b => ($"{c.Index}.{b.Name}", b))).ToArray();
        if (named.Length == 0) return (null, named);
        var storage = Backend.Allocate<T>(checked(named.Sum(n => Tensor<T>.ShapeLength(n.b.Shape))));
        int offset = 0;
        foreach (var (_, b) in named)
        {
            b.Value = storage.View(offset, b.Shape);
            offset += b.Value.Length;
            Backend.Fill(b.Value, b.Fill);
        }
        return (storage, named);
    }

    /// <summary>Samples every parameter from its own Philox stream (one per parameter, in model order), so the
    /// initial values depend only on the seed and the model, not on the grouping.</summary>
    private void InitializeParameters()
    {
        for (int i = 0; i < NamedParameters.Count; i++)
        {
            var p = NamedParameters[i].Parameter;
            var values = new double[p.Value.Length];
            p.Init.Sample(values, p.FanIn, p.FanOut, new HostRandom(Seed, InitStream + (ulong)i));
            Backend.Upload(p.Value, values.Select(T.CreateTruncating).ToArray());
        }
    }

    /// <summary>Philox offset of the first parameter's initialisation stream; far from the layers' dropout streams.</summary>
    private const ulong InitStream = 1UL << 62;
}
