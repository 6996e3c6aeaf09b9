using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace CudaNet.IO;

/// <summary>
/// The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
/// and byte range, then raw little-endian C-order data). Writes are atomic (<see cref="AtomicFile"/>); reads
/// validate everything and never execute anything (DESIGN.md §9).
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest JSON header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (in the given order) and optional string metadata atomically.</summary>
    public static void Save(string path, IReadOnlyList<KeyValuePair<string, SafeTensorEntry>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, entry) in tensors)
        {
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
                throw new ArgumentException($"SafeTensors.Save: tensor name '{name}' is not allowed.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"SafeTensors.Save: tensor name '{name}' appears twice.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(entry, name);
        }
        byte[] header = Header(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, entry) in tensors) stream.Write(entry.Data);
        });
    }

    private static byte[] Header(IReadOnlyList<KeyValuePair<string, SafeTensorEntry>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, entry) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", entry.DType.ToString());
                json.WriteStartArray("shape");
                foreach (int d in entry.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + entry.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += entry.Data.Length;
            }
            json.WriteEndObject();
        }
        // Pad with spaces to a multiple of 8 so the data starts aligned, as the reference writer does.
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <exception cref="InvalidDataException">Anything is wrong: the message names the file and the defect.</exception>
    public static SafeTensorFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads and validates a safetensors stream; <paramref name="name"/> appears in error messages.</summary>
    public static SafeTensorFile Load(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return Parse(stream, name);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: the header is not valid JSON ({e.Message})", e);
        }
    }

    private static SafeTensorFile Parse(Stream stream, string name)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{name}: truncated (no 8-byte header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"{name}: header length {headerLength} exceeds the {MaxHeaderBytes}-byte cap");
        if (stream.CanSeek && (long)headerLength > stream.Length - 8)
            throw new InvalidDataException($"{name}: header length {headerLength} runs past the end of the file");
        var header = new byte[headerLength];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            throw new InvalidDataException($"{name}: truncated header");

        var (specs, metadata) = SafeTensorHeader.Parse(header, name);
        long dataLength = specs.Count == 0 ? 0 : specs.Max(s => s.End);
        if (stream.CanSeek && stream.Length - 8 - (long)headerLength != dataLength)
            throw new InvalidDataException(
                $"{name}: the header describes {dataLength} data bytes but the file holds {stream.Length - 8 - (long)headerLength}");
        var data = new byte[dataLength];
        if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length)
            throw new InvalidDataException($"{name}: truncated data");
        if (!stream.CanSeek && stream.ReadByte() != -1)
            throw new InvalidDataException($"{name}: unexpected bytes after the data the header describes");

        var tensors = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        foreach (var s in specs)
            tensors.Add(s.Name, new SafeTensorEntry(s.DType, s.Shape, data.AsSpan((int)s.Begin, (int)(s.End - s.Begin)).ToArray()));
        return new SafeTensorFile(specs.Select(s => s.Name).ToArray(), tensors, metadata);
    }
}

/// <summary>The validated contents of a safetensors file.</summary>
/// <param name="Names">Tensor names in file order.</param>
/// <param name="Tensors">Tensors by name.</param>
/// <param name="Metadata">The <c>__metadata__</c> strings (empty when absent).</param>
public sealed record SafeTensorFile(IReadOnlyList<string> Names, IReadOnlyDictionary<string, SafeTensorEntry> Tensors,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The tensor called <paramref name="name"/>, checked against the expected dtype and shape.</summary>
    /// <exception cref="InvalidDataException">Missing, or of another dtype or shape.</exception>
    public SafeTensorEntry Get(string name, SafeTensorDType dtype, params int[] shape)
    {
        if (!Tensors.TryGetValue(name, out var entry)) throw new InvalidDataException($"Tensor '{name}' is missing.");
        if (entry.DType != dtype || !entry.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"Tensor '{name}' is {entry.DType} [{string.Join(", ", entry.Shape)}] but " +
                                           $"{dtype} [{string.Join(", ", shape)}] was expected.");
        return entry;
    }
}
