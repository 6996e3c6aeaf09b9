using System.Buffers.Binary;
using System.Text;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// DESIGN.md §9: loading validates everything. 12,000 seeded mutations of a valid checkpoint-like file (byte-level
/// damage, header-length lies, and structural JSON mutations: wrong dtypes and shapes, huge dimensions, overlapping or
/// out-of-range offsets, duplicate keys and fields, bad names and metadata, broken JSON and UTF-8) each end in
/// <see cref="InvalidDataException"/> or in a file whose content is consistent and survives a save and reload.
/// </summary>
public sealed class SafeTensorsFuzzTests
{
    private const int Cases = 12_000;
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-fuzz-st").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>One tensor of the header as raw JSON fragments, so mutations can put anything in them.</summary>
    private sealed record Entry(string Name, string DType, string Shape, string Offsets, string? Extra = null);

    private static readonly Entry[] ValidEntries =
    [
        new("0.weight", "\"F32\"", "[2,3]", "[0,24]"),
        new("0.bias", "\"F32\"", "[3]", "[24,36]"),
        new("1.num_batches_tracked", "\"I64\"", "[]", "[36,44]"),
        new("2.table", "\"F64\"", "[2]", "[44,60]"),
        new("3.bytes", "\"U8\"", "[5]", "[60,65]"),
        new("4.ints", "\"I32\"", "[1,2]", "[65,73]"),
        new("5.empty", "\"F32\"", "[0,4]", "[73,73]"),
    ];

    private const int DataBytes = 73;
    private const string ValidMetadata = "{\"format\":\"pt\",\"step\":\"12\"}";

    private static readonly string[] Numbers =
        ["-1", "0", "1", "3", "7", "24", "73", "2147483647", "2147483648", "9999999999", "9223372036854775807", "1e3", "1.5", "\"3\"",
         "null", "true", "[]", "{}", "-0", "1e400", "[[[[[[1]]]]]]"];

    private static readonly string[] DTypes =
        ["\"F16\"", "\"BF16\"", "\"f32\"", "\"F32,F64\"", "\"F32, I32\"", "\" F32\"", "\"I8\"", "\"BOOL\"", "\"\"", "\"1\"", "\"0\"",
         "\"F64\"", "\"I64\"", "\"U8\"", "\"I32\"", "\"F32\"", "3", "null", "\"\\u0046\\u0033\\u0032\"", "\"\\ud800\""];

    private static readonly string[] Names =
        ["", "__metadata__", "\\ud800", "a\\u0000b", "\\u00e9t\\u00e9", new string('n', 1000), "0.weight", "0.bias", "\\\"", "x\\ny"];

    private static readonly string[] JsonMutations =
    [
        "shape number", "offset number", "whole offsets", "dtype", "overlap", "duplicate key", "missing field", "unknown field",
        "field twice", "name", "metadata", "json character", "json deletion", "invalid utf-8", "shape transpose",
        "header length", "header over cap", "data resized",
    ];

    private static byte[] Encode(IReadOnlyList<Entry> entries, string? metadata, int dataBytes, Random random, bool pad = true)
    {
        var json = new StringBuilder("{");
        if (metadata is not null) json.Append("\"__metadata__\":").Append(metadata).Append(',');
        foreach (var e in entries)
        {
            json.Append('"').Append(e.Name).Append("\":{\"dtype\":").Append(e.DType).Append(",\"shape\":").Append(e.Shape)
                .Append(",\"data_offsets\":").Append(e.Offsets).Append(e.Extra ?? "").Append("},");
        }
        if (json[^1] == ',') json.Length--;
        json.Append('}');
        return Frame(Encoding.UTF8.GetBytes(json.ToString()), dataBytes, random, pad);
    }

    private static byte[] Frame(byte[] header, int dataBytes, Random random, bool pad = true)
    {
        int padded = pad ? (header.Length + 7) / 8 * 8 : header.Length;
        var file = new byte[8 + padded + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length, padded - header.Length).Fill((byte)' ');
        // Data drawn per case from the case's own stream, so the bytes are arbitrary (NaNs, huge values…).
        random.NextBytes(file.AsSpan(8 + padded));
        return file;
    }

    private static string Pick(string[] options, Random random) => options[random.Next(options.Length)];

    private static string Replace(string json, int index, string with) => json[..index] + with + json[(index + 1)..];

    private static byte[] MutateHeader(int kind, Random random)
    {
        var entries = ValidEntries.ToList();
        string? metadata = ValidMetadata;
        int data = DataBytes;
        int i = random.Next(entries.Count);
        var e = entries[i];
        switch (JsonMutations[kind])
        {
            case "shape number":
                entries[i] = e with { Shape = $"[{Pick(Numbers, random)}{(random.Next(2) == 0 ? "" : "," + Pick(Numbers, random))}]" };
                break;
            case "offset number":
                entries[i] = random.Next(2) == 0
                    ? e with { Offsets = $"[{Pick(Numbers, random)},{e.Offsets.Split(',')[1]}" }
                    : e with { Offsets = $"{e.Offsets.Split(',')[0]},{Pick(Numbers, random)}]" };
                break;
            case "whole offsets":
                entries[i] = e with { Offsets = Pick(["[]", "[0]", "[0,0,0]", "[24,0]", "[0,2147483648]", "\"0,24\"", "null", "[-8,16]"], random) };
                break;
            case "dtype":
                entries[i] = e with { DType = Pick(DTypes, random) };
                break;
            case "overlap":
                entries[i] = e with { Offsets = entries[random.Next(entries.Count)].Offsets };
                break;
            case "duplicate key":
                entries.Insert(random.Next(entries.Count + 1), e);
                break;
            case "missing field":
                return RemoveField(entries, i, random);
            case "unknown field":
                entries[i] = e with { Extra = Pick([",\"x\":1", ",\"__proto__\":{}", ",\"dtype \":\"F32\""], random) };
                break;
            case "field twice":
                entries[i] = e with { Extra = Pick([",\"dtype\":\"F32\"", $",\"shape\":{e.Shape}", $",\"data_offsets\":{e.Offsets}"], random) };
                break;
            case "name":
                entries[i] = e with { Name = Pick(Names, random) };
                break;
            case "metadata":
                metadata = Pick(["null", "[]", "{\"a\":1}", "{\"a\":\"x\",\"a\":\"y\"}", "{\"a\":\"\\udc00\"}", "{}", "{\"\":\"\"}", "\"pt\"",
                    "{\"a\":{\"b\":\"c\"}}"], random);
                break;
            case "json character":
            {
                string json = Encoding.UTF8.GetString(Encode(entries, metadata, 0, random)[8..]).TrimEnd();
                json = Replace(json, random.Next(json.Length), Pick(["{", "}", "[", "]", "\"", ",", ":", "0", "9", "-", ".", "e", " ", "\\", "/*", "\\u"], random));
                return Frame(Encoding.UTF8.GetBytes(json), data, random);
            }
            case "json deletion":
            {
                string json = Encoding.UTF8.GetString(Encode(entries, metadata, 0, random)[8..]).TrimEnd();
                return Frame(Encoding.UTF8.GetBytes(Replace(json, random.Next(json.Length), "")), data, random);
            }
            case "invalid utf-8":
            {
                var header = Encode(entries, metadata, 0, random)[8..];
                byte[] invalid = [0xFF, 0xC0, 0x80, 0xED, 0x00];
                header[random.Next(header.Length)] = invalid[random.Next(invalid.Length)];
                return Frame(header, data, random, pad: false);
            }
            case "shape transpose":
                // Harmless when the byte count still matches: [2,3] → [3,2], [1,2] → [2,1].
                entries[i] = e with { Shape = e.Shape.Count(c => c == ',') == 1 ? $"[{e.Shape[1..^1].Split(',')[1]},{e.Shape[1..^1].Split(',')[0]}]" : e.Shape };
                break;
            case "header length":
            {
                var file = Encode(entries, metadata, data, random);
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
                BinaryPrimitives.WriteUInt64LittleEndian(file, length + (ulong)(random.Next(-16, 17)));
                return file;
            }
            case "header over cap":
            {
                var file = Encode(entries, metadata, data, random);
                ulong[] lies = [(ulong)SafeTensors.MaxHeaderBytes + 1, ulong.MaxValue, 1UL << 63, (ulong)int.MaxValue + 1, (ulong)SafeTensors.MaxHeaderBytes];
                BinaryPrimitives.WriteUInt64LittleEndian(file, lies[random.Next(lies.Length)]);
                return file;
            }
            case "data resized":
                data = Math.Max(0, DataBytes + random.Next(-8, 9));
                break;
        }
        return Encode(entries, metadata, data, random);
    }

    private static byte[] RemoveField(List<Entry> entries, int i, Random random)
    {
        var e = entries[i];
        string json = Encoding.UTF8.GetString(Encode(entries, ValidMetadata, 0, random)[8..]).TrimEnd();
        string[] fields = [$"\"dtype\":{e.DType},", $"\"shape\":{e.Shape},", $",\"data_offsets\":{e.Offsets}"];
        string field = fields[random.Next(fields.Length)];
        int at = json.IndexOf($"\"{e.Name}\":{{", StringComparison.Ordinal);
        int found = json.IndexOf(field, at, StringComparison.Ordinal);
        return Frame(Encoding.UTF8.GetBytes(found < 0 ? json : json.Remove(found, field.Length)), DataBytes, random);
    }

    [Test]
    public void EveryMutatedFileIsRejectedWithInvalidDataOrLoadsConsistently()
    {
        var random = new Random(20240611);
        var valid = Encode(ValidEntries, ValidMetadata, DataBytes, random);
        Assert.That(SafeTensors.Load(new MemoryStream(valid), "valid").Names, Has.Count.EqualTo(ValidEntries.Length), "the seed file is valid");

        var harness = new FuzzHarness("safetensors");
        int roundTrips = 0;
        int kinds = ByteMutations.Names.Length + JsonMutations.Length;
        for (int c = 0; c < Cases; c++)
        {
            int kind = c % kinds;
            byte[] file = kind < ByteMutations.Names.Length
                ? ByteMutations.Apply(kind, Encode(ValidEntries, ValidMetadata, DataBytes, random), random)
                : MutateHeader(kind - ByteMutations.Names.Length, random);
            string mutation = kind < ByteMutations.Names.Length ? ByteMutations.Names[kind] : JsonMutations[kind - ByteMutations.Names.Length];
            harness.Run(c, mutation, file, bytes => SafeTensors.Load(new MemoryStream(bytes, writable: false), $"case {c}"), loaded =>
            {
                CheckConsistent(loaded, file, c);
                // Saving to disk is slow (flush): round-trip every header mutation that loaded and a sample of the rest.
                if (kind >= ByteMutations.Names.Length || c % 16 == 0)
                {
                    RoundTrip(loaded, c);
                    roundTrips++;
                }
            });
        }
        harness.Report(Cases);
        TestContext.Out.WriteLine($"  loaded files re-saved and reloaded bit-identically: {roundTrips}");
        Assert.That(harness.Rejected + harness.Loaded, Is.EqualTo(Cases));
        Assert.That(harness.Rejected, Is.GreaterThan(Cases / 2), "most mutations are defects");
        Assert.That(harness.Loaded, Is.GreaterThan(100), "harmless mutations (data bits, transposed shapes) load");
    }

    /// <summary>The format's dtype names are exact strings: .NET's lenient enum parsing (flag lists, padding, case)
    /// must not turn "F32, I32" into I32 or " F32" into F32.</summary>
    [TestCase("F32, I32")]
    [TestCase("F32,I32")]
    [TestCase(" F32")]
    [TestCase("F32 ")]
    [TestCase("f32")]
    [TestCase("2")]
    [TestCase("F32,F32")]
    public void OnlyExactDTypeNamesAreAccepted(string dtype)
    {
        var random = new Random(1);
        var file = Encode([new Entry("w", $"\"{dtype}\"", "[2]", "[0,8]")], null, 8, random);
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(file), "dtype.safetensors"));
        Assert.That(error!.Message, Does.Contain("dtype.safetensors").And.Contain("unsupported dtype"));
    }

    /// <summary>What a loaded file must satisfy: distinct names matching the tensors, byte counts matching dtype and
    /// shape, and the tensors tiling exactly the data section of the file.</summary>
    private static void CheckConsistent(SafeTensorFile loaded, byte[] file, int c)
    {
        Assert.That(loaded.Names.Distinct().Count(), Is.EqualTo(loaded.Tensors.Count), $"case {c}: names");
        long total = 0;
        foreach (string name in loaded.Names)
        {
            var entry = loaded.Tensors[name];
            long elements = entry.Shape.Aggregate(1L, (p, d) => p * d);
            Assert.That(entry.Data.LongLength, Is.EqualTo(elements * Size(entry.DType)), $"case {c}: '{name}'");
            total += entry.Data.LongLength;
        }
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.That(total, Is.EqualTo(file.Length - 8 - headerLength), $"case {c}: the tensors cover the data section");
    }

    private static int Size(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F64 or SafeTensorDType.I64 => 8,
        SafeTensorDType.F32 or SafeTensorDType.I32 => 4,
        _ => 1,
    };

    private void RoundTrip(SafeTensorFile loaded, int c)
    {
        string path = Path.Combine(_folder, "roundtrip.safetensors");
        SafeTensors.Save(path, loaded.Names.Select(n => new KeyValuePair<string, SafeTensorEntry>(n, loaded.Tensors[n])).ToList(),
            loaded.Metadata.ToDictionary());
        var again = SafeTensors.Load(path);
        Assert.That(again.Names, Is.EqualTo(loaded.Names), $"case {c}");
        Assert.That(again.Metadata, Is.EquivalentTo(loaded.Metadata), $"case {c}");
        foreach (string name in loaded.Names)
        {
            var (a, b) = (loaded.Tensors[name], again.Tensors[name]);
            Assert.That((b.DType, b.Shape, b.Data), Is.EqualTo((a.DType, a.Shape, a.Data)), $"case {c}: '{name}'");
        }
    }
}
