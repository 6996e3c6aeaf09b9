using System.Text.Json;
using System.Text.Json.Nodes;

namespace CudaNet;

/// <summary>
/// A compact JSON description of a <see cref="Sequential"/> (layer kinds and hyperparameters, no weights), stored in
/// a model file's metadata so that the file alone rebuilds the model:
/// <c>{"format":"cudanet.sequential","version":1,"input_features":784,"layers":[{"kind":"Dense","inputs":784,…},…]}</c>.
/// </summary>
/// <remarks>
/// Each layer type has one entry (a kind name, a writer and a reader) in <c>ModelSpec.Layers.cs</c>; layers of
/// your own are added with <see cref="Register{TLayer}"/>. Initialisers are not stored: a spec describes a model
/// whose weights come from the same file. Reading is strict: unknown kinds, unknown or mistyped fields and
/// invalid hyperparameters throw <see cref="InvalidDataException"/> naming the layer.
/// </remarks>
public static partial class ModelSpec
{
    /// <summary>Value of the <c>format</c> field.</summary>
    public const string Format = "cudanet.sequential";

    /// <summary>Value of the <c>version</c> field written by this build.</summary>
    public const int Version = 1;

    private static readonly Lock Sync = new();
    private static readonly Dictionary<Type, Entry> ByType = [];
    private static readonly Dictionary<string, Entry> ByKind = new(StringComparer.Ordinal);

    private sealed record Entry(string Kind, Type Type, Func<Layer, JsonObject> Write, Func<LayerArguments, Layer> Read);

    static ModelSpec() => RegisterBuiltIns();

    /// <summary>
    /// Registers a layer type under <paramref name="kind"/>: <paramref name="write"/> returns its hyperparameters
    /// (without "kind"), <paramref name="read"/> rebuilds it from them. The layer's exact runtime type is matched.
    /// </summary>
    /// <exception cref="ArgumentException">The kind or the type is already registered.</exception>
    public static void Register<TLayer>(string kind, Func<TLayer, JsonObject> write, Func<LayerArguments, TLayer> read)
        where TLayer : Layer
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        var entry = new Entry(kind, typeof(TLayer), layer => write((TLayer)layer), args => read(args));
        lock (Sync)
        {
            if (ByKind.ContainsKey(kind)) throw new ArgumentException($"ModelSpec.Register: kind '{kind}' is already registered.", nameof(kind));
            if (ByType.ContainsKey(typeof(TLayer)))
                throw new ArgumentException($"ModelSpec.Register: {typeof(TLayer).Name} is already registered.", nameof(write));
            ByKind.Add(kind, entry);
            ByType.Add(typeof(TLayer), entry);
        }
    }

    /// <summary>The spec of <paramref name="model"/> as one line of JSON.</summary>
    /// <exception cref="NotSupportedException">A layer's type has no entry (see <see cref="Register{TLayer}"/>).</exception>
    public static string ToJson(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new JsonArray();
        for (int i = 0; i < model.Layers.Count; i++) layers.Add(LayerToJson(model.Layers[i], i));
        var root = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["input_features"] = model.InputFeatures,
            ["layers"] = layers,
        };
        return root.ToJsonString();
    }

    private static JsonObject LayerToJson(Layer layer, int index)
    {
        var entry = Find(layer.GetType()) ?? throw new NotSupportedException(
            $"ModelSpec: layer {index} ({layer.GetType().Name}) has no spec entry; add one to ModelSpec.Layers.cs or call ModelSpec.Register.");
        var node = new JsonObject { ["kind"] = entry.Kind };
        foreach (var (key, value) in entry.Write(layer))
        {
            if (key == "kind") throw new InvalidOperationException($"ModelSpec: the writer of {entry.Kind} must not set 'kind'.");
            // Absent and null mean the same to the reader; leaving nulls out keeps the spec short.
            if (value is not null) node[key] = value.DeepClone();
        }
        return node;
    }

    /// <summary>Rebuilds the model described by <paramref name="json"/>.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a valid spec; the message names the defect and the layer.</exception>
    public static Sequential FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"ModelSpec: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = new LayerArguments(document.RootElement, "ModelSpec");
            string format = root.String("format");
            if (format != Format) throw new InvalidDataException($"ModelSpec: format is '{format}', not '{Format}'.");
            int version = root.Int("version");
            if (version != Version) throw new InvalidDataException($"ModelSpec: version {version} is not supported (this build reads {Version}).");
            int inputs = root.Int("input_features");
            var items = root.Array("layers");
            root.RequireAllRead();
            var layers = new Layer[items.Count];
            for (int i = 0; i < layers.Length; i++) layers[i] = LayerFromJson(items[i], i);
            Sequential model;
            try
            {
                model = new Sequential(layers);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"ModelSpec: the layers do not form a model ({e.Message}).", e);
            }
            if (model.InputFeatures != inputs)
                throw new InvalidDataException($"ModelSpec: input_features is {inputs} but the layers take {model.InputFeatures}.");
            return model;
        }
    }

    private static Layer LayerFromJson(JsonElement element, int index)
    {
        string where = $"ModelSpec: layer {index}";
        var args = new LayerArguments(element, where);
        string kind = args.String("kind");
        var entry = FindKind(kind) ?? throw new InvalidDataException(
            $"{where} has unknown kind '{kind}' (known: {string.Join(", ", KnownKinds())}).");
        args = new LayerArguments(element, $"{where} ({kind})", consumed: "kind");
        Layer layer;
        try
        {
            layer = entry.Read(args);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{where} ({kind}): {e.Message}", e);
        }
        args.RequireAllRead();
        return layer;
    }

    private static Entry? Find(Type type)
    {
        lock (Sync) return ByType.GetValueOrDefault(type);
    }

    private static Entry? FindKind(string kind)
    {
        lock (Sync) return ByKind.GetValueOrDefault(kind);
    }

    private static string[] KnownKinds()
    {
        lock (Sync) return ByKind.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Index and a short description of the first layer where two specs differ, or null when equal.</summary>
    internal static string? Difference(string expected, string actual)
    {
        var a = JsonNode.Parse(expected)!.AsObject();
        var b = JsonNode.Parse(actual)!.AsObject();
        var la = a["layers"]!.AsArray();
        var lb = b["layers"]!.AsArray();
        for (int i = 0; i < Math.Min(la.Count, lb.Count); i++)
            if (!JsonNode.DeepEquals(la[i], lb[i]))
                return $"layer {i} is {la[i]!.ToJsonString()} here but {lb[i]!.ToJsonString()} in the file";
        if (la.Count != lb.Count) return $"the model has {la.Count} layers but the file describes {lb.Count}";
        return JsonNode.DeepEquals(a, b) ? null : $"the specs differ: {expected} here, {actual} in the file";
    }
}
