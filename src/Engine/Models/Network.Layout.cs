namespace CudaNet;

public sealed partial class Network<T>
{
    /// <summary>Lays the declared parameters of <paramref name="contexts"/> out in one flat value buffer and one flat
    /// gradient buffer, grouped by (decay, penalties); also used to lay out a lone layer for its gradient check.</summary>
    internal static (Tensor<T>, Tensor<T>, ParameterGroup[], (string, Parameter<T>)[]) LayOutParameters(IBackend<T> backend,
        List<LayerContext<T>> contexts)
    {
        var named = contexts.SelectMany(c => c.Parameters.Select(p => ($"{c.Index}.{p.Name}", p))).ToArray();
        // Group by (decay, penalties) in order of first appearance; each group is one contiguous range.
        var groups = named.GroupBy(n => GroupKey(n.p)).ToArray();
        int total = checked(named.Sum(n => Tensor<T>.ShapeLength(n.p.Shape)));
        var parameters = backend.Allocate<T>(Math.Max(total, 0));
        var gradients = backend.Allocate<T>(Math.Max(total, 0));
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

    /// <summary>Lays the declared buffers out in one flat tensor (null when there are none) and fills them.</summary>
    internal static (Tensor<T>?, (string, ModelBuffer<T>)[]) LayOutBuffers(IBackend<T> backend, List<LayerContext<T>> contexts)
    {
        var named = contexts.SelectMany(c => c.Buffers.Select(b => ($"{c.Index}.{b.Name}", b))).ToArray();
        if (named.Length == 0) return (null, named);
        var storage = backend.Allocate<T>(checked(named.Sum(n => Tensor<T>.ShapeLength(n.b.Shape))));
        int offset = 0;
        foreach (var (_, b) in named)
        {
            b.Value = storage.View(offset, b.Shape);
            offset += b.Value.Length;
            backend.Fill(b.Value, b.Fill);
        }
        return (storage, named);
    }

    /// <summary>Samples every parameter from its own Philox stream (one per parameter, in model order), so the
    /// initial values depend only on the seed and the model, not on the grouping.</summary>
    internal static void InitializeParameters(IBackend<T> backend, IReadOnlyList<(string Name, Parameter<T> Parameter)> named,
        ulong seed)
    {
        for (int i = 0; i < named.Count; i++)
        {
            var p = named[i].Parameter;
            var values = new double[p.Value.Length];
            p.Init.Sample(values, p.FanIn, p.FanOut, new HostRandom(seed, InitStream + (ulong)i));
            backend.Upload(p.Value, values.Select(T.CreateTruncating).ToArray());
        }
    }

    /// <summary>Philox offset of the first parameter's initialisation stream; far from the layers' dropout streams.</summary>
    private const ulong InitStream = 1UL << 62;
}
