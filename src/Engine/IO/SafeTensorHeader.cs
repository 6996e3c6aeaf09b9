using System.Text.Json;

namespace CudaNet.IO;

/// <summary>Parses and validates a safetensors JSON header: every field typed, offsets in order, in bounds,
/// non-overlapping and covering the data without holes, sizes matching dtype and shape, no duplicate keys.</summary>
internal static class SafeTensorHeader
{
    internal sealed record Spec(string Name, SafeTensorDType DType, int[] Shape, long Begin, long End);

    private const long MaxDataBytes = int.MaxValue;

    public static (List<Spec> Specs, Dictionary<string, string> Metadata) Parse(byte[] header, string file)
    {
        try
        {
            return ParseDocument(header, file);
        }
        catch (InvalidOperationException e)
        {
            // Only string decoding throws this here: an escaped lone surrogate ("\ud800") or invalid UTF-8 in a
            // name, dtype or metadata value, which JSON parsing accepts but no .NET string can hold.
            throw new InvalidDataException($"{file}: the header holds a string that is not valid Unicode ({e.Message})", e);
        }
    }

    private static (List<Spec> Specs, Dictionary<string, string> Metadata) ParseDocument(byte[] header, string file)
    {
        InvalidDataException Bad(string problem) => new($"{file}: {problem}");
        using var document = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '),
            new JsonDocumentOptions { MaxDepth = 4 });
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad("the header is not a JSON object");

        var specs = new List<Spec>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!seen.Add(property.Name)) throw Bad($"key '{property.Name}' appears twice in the header");
            if (property.Name == "__metadata__")
            {
                if (property.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ is not an object");
                foreach (var item in property.Value.EnumerateObject())
                {
                    if (item.Value.ValueKind != JsonValueKind.String) throw Bad($"metadata '{item.Name}' is not a string");
                    if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw Bad($"metadata key '{item.Name}' appears twice");
                }
                continue;
            }
            // Save refuses an empty name, so Load does too: every file that loads can be saved again.
            if (property.Name.Length == 0) throw Bad("a tensor has an empty name");
            specs.Add(ParseTensor(property, Bad));
        }

        // Sorted by offset, the tensors must tile [0, total) exactly: in bounds, no overlap, no hole.
        long expected = 0;
        foreach (var s in specs.OrderBy(s => s.Begin).ThenBy(s => s.End))
        {
            if (s.Begin != expected)
                throw Bad(s.Begin < expected ? $"tensor '{s.Name}' overlaps the tensor before it" : $"a hole precedes tensor '{s.Name}'");
            expected = s.End;
        }
        return (specs, metadata);
    }

    private static Spec ParseTensor(JsonProperty property, Func<string, InvalidDataException> bad)
    {
        string name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object) throw bad($"tensor '{name}' is not an object");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtype;
            switch (field.Name)
            {
                case "dtype": slot = ref dtype; break;
                case "shape": slot = ref shape; break;
                case "data_offsets": slot = ref offsets; break;
                default: throw bad($"tensor '{name}' has an unknown field '{field.Name}'");
            }
            if (slot is not null) throw bad($"tensor '{name}' has field '{field.Name}' twice");
            slot = field.Value;
        }
        if (dtype is not { ValueKind: JsonValueKind.String } || DTypeNamed(dtype.Value.GetString()!) is not { } type)
            throw bad($"tensor '{name}' has a missing or unsupported dtype {(dtype is null ? "" : dtype.Value.GetRawText())}");
        if (shape is not { ValueKind: JsonValueKind.Array }) throw bad($"tensor '{name}' has no shape array");
        if (offsets is not { ValueKind: JsonValueKind.Array } || offsets.Value.GetArrayLength() != 2)
            throw bad($"tensor '{name}' needs data_offsets [begin, end]");

        var dims = new int[shape.Value.GetArrayLength()];
        long elements = 1;
        int i = 0;
        foreach (var d in shape.Value.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out dims[i]) || dims[i] < 0)
                throw bad($"tensor '{name}' has an invalid dimension {d.GetRawText()}");
            elements *= dims[i++];
            if (elements > MaxDataBytes) throw bad($"tensor '{name}' has a shape too large to load");
        }
        long[] range = new long[2];
        i = 0;
        foreach (var o in offsets.Value.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out range[i]) || range[i] < 0 || range[i] > MaxDataBytes)
                throw bad($"tensor '{name}' has an invalid data offset {o.GetRawText()}");
            i++;
        }
        if (range[1] < range[0]) throw bad($"tensor '{name}' ends (offset {range[1]}) before it begins ({range[0]})");
        long bytes = elements * SafeTensorEntry.ElementSize(type);
        if (range[1] - range[0] != bytes)
            throw bad($"tensor '{name}' spans {range[1] - range[0]} bytes but {type} [{string.Join(", ", dims)}] needs {bytes}");
        return new Spec(name, type, dims, range[0], range[1]);
    }

    /// <summary>The dtype with exactly this name; Enum.TryParse would also accept " F32", "2" and "F32, I32".</summary>
    private static SafeTensorDType? DTypeNamed(string name) => name switch
    {
        "F32" => SafeTensorDType.F32,
        "F64" => SafeTensorDType.F64,
        "I32" => SafeTensorDType.I32,
        "I64" => SafeTensorDType.I64,
        "U8" => SafeTensorDType.U8,
        _ => null,
    };
}
