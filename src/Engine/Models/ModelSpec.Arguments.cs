using System.Text.Json;

namespace CudaNet;

/// <summary>
/// The fields of one JSON object of a <see cref="ModelSpec"/>, read with type checks. Every field must be read
/// (with or without a default) so that a misspelt or unknown field is an error rather than silently ignored.
/// </summary>
public sealed class LayerArguments
{
    private readonly JsonElement _element;
    private readonly string _where;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    internal LayerArguments(JsonElement element, string where, string? consumed = null)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where} is not a JSON object.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
            if (!seen.Add(property.Name)) throw new InvalidDataException($"{where}: field '{property.Name}' appears twice.");
        (_element, _where) = (element, where);
        if (consumed is not null) _read.Add(consumed);
    }

    /// <summary>A required integer field.</summary>
    public int Int(string name) => Get(name, JsonValueKind.Number, "an integer") is { } v && v.TryGetInt32(out int i)
        ? i : throw Bad(name, "an integer");

    /// <summary>An optional integer field.</summary>
    public int Int(string name, int fallback) => Has(name) ? Int(name) : fallback;

    /// <summary>A required number field.</summary>
    public double Double(string name)
    {
        var value = Get(name, JsonValueKind.Number, "a number");
        return value!.Value.TryGetDouble(out double d) && double.IsFinite(d) ? d : throw Bad(name, "a finite number");
    }

    /// <summary>An optional number field.</summary>
    public double Double(string name, double fallback) => Has(name) ? Double(name) : fallback;

    /// <summary>A required true/false field.</summary>
    public bool Bool(string name)
    {
        if (!_element.TryGetProperty(name, out var value)) throw Missing(name);
        _read.Add(name);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(name, "true or false"),
        };
    }

    /// <summary>An optional true/false field.</summary>
    public bool Bool(string name, bool fallback) => Has(name) ? Bool(name) : fallback;

    /// <summary>A required string field.</summary>
    public string String(string name) => Get(name, JsonValueKind.String, "a string")!.Value.GetString()!;

    /// <summary>An optional string field.</summary>
    public string String(string name, string fallback) => Has(name) ? String(name) : fallback;

    /// <summary>An optional nested object (null when absent or JSON null).</summary>
    public LayerArguments? Object(string name)
    {
        if (!_element.TryGetProperty(name, out var value)) return null;
        _read.Add(name);
        if (value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.Object ? new LayerArguments(value, $"{_where}.{name}") : throw Bad(name, "an object");
    }

    /// <summary>An optional <see cref="Regularizer"/> written as <c>{"l1":…,"l2":…,"include_biases":…}</c>.</summary>
    public Regularizer? Regularizer(string name)
    {
        var args = Object(name);
        if (args is null) return null;
        var regularizer = new Regularizer(args.Double("l1", 0), args.Double("l2", 0), args.Bool("include_biases", false));
        args.RequireAllRead();
        return regularizer;
    }

    internal List<JsonElement> Array(string name) =>
        Get(name, JsonValueKind.Array, "an array")!.Value.EnumerateArray().ToList();

    /// <summary>Throws when the object has a field nobody read.</summary>
    public void RequireAllRead()
    {
        foreach (var property in _element.EnumerateObject())
            if (!_read.Contains(property.Name))
                throw new InvalidDataException($"{_where}: unknown field '{property.Name}'.");
    }

    /// <summary>Whether an optional field is given; an explicit JSON null counts as absent (and as read).</summary>
    private bool Has(string name)
    {
        if (!_element.TryGetProperty(name, out var value)) return false;
        if (value.ValueKind != JsonValueKind.Null) return true;
        _read.Add(name);
        return false;
    }

    private JsonElement? Get(string name, JsonValueKind kind, string what)
    {
        if (!_element.TryGetProperty(name, out var value)) throw Missing(name);
        _read.Add(name);
        return value.ValueKind == kind ? value : throw Bad(name, what);
    }

    private InvalidDataException Missing(string name) => new($"{_where}: field '{name}' is missing.");

    private InvalidDataException Bad(string name, string what) => new($"{_where}: field '{name}' must be {what}.");
}
