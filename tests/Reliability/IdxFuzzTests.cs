using System.Buffers.Binary;
using System.IO.Compression;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Reliability;

/// <summary>
/// DESIGN.md §8: the IDX reader validates fully. 12,000 seeded mutations of valid image and label files, raw and
/// gzip-compressed (byte-level damage, wrong magic, type byte and dimension count, huge, zero, negative and
/// overflowing sizes, reshaped sizes, extra or missing data, damaged gzip streams) each end in
/// <see cref="InvalidDataException"/> or in a load whose bytes are exactly the file's.
/// </summary>
public sealed class IdxFuzzTests
{
    private const int Cases = 12_000;

    private static readonly string[] IdxMutations =
        ["size", "two sizes", "reshape", "magic byte", "extra data", "missing data", "gzip of damaged raw", "damaged gzip"];

    private static byte[] Raw(int magic, int[] dims, Random random)
    {
        int length = dims.Aggregate(1, (p, d) => p * d);
        var file = new byte[4 + 4 * dims.Length + length];
        BinaryPrimitives.WriteInt32BigEndian(file, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4 + 4 * i), dims[i]);
        random.NextBytes(file.AsSpan(4 + 4 * dims.Length));
        return file;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var z = new GZipStream(buffer, CompressionLevel.Fastest)) z.Write(raw);
        return buffer.ToArray();
    }

    private static readonly int[] Sizes = [0, -1, 1, 2, 5, 60, 255, 256, 65536, 1 << 24, int.MaxValue, int.MinValue, 1 << 30, 47_040_000];

    private static byte[] Mutate(string mutation, byte[] raw, int dimensions, Random random)
    {
        var bytes = (byte[])raw.Clone();
        int header = 4 + 4 * dimensions;
        void SetSize(int d, int size) => BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), size);
        switch (mutation)
        {
            case "size":
                SetSize(random.Next(dimensions), Sizes[random.Next(Sizes.Length)]);
                return bytes;
            case "two sizes":
                // Products that overflow 32 and 64 bits when multiplied naively.
                SetSize(0, Sizes[random.Next(Sizes.Length)]);
                SetSize(dimensions - 1, Sizes[random.Next(Sizes.Length)]);
                return bytes;
            case "reshape":
            {
                // Harmless for images when the product stays 60: [3,4,5] → a permutation.
                if (dimensions == 3)
                {
                    int[] dims = [3, 4, 5];
                    random.Shuffle(dims);
                    for (int d = 0; d < 3; d++) SetSize(d, dims[d]);
                }
                return bytes;
            }
            case "magic byte":
                bytes[random.Next(4)] = (byte)random.Next(256);
                return bytes;
            case "extra data":
                return [.. bytes, .. new byte[random.Next(1, 9)]];
            case "missing data":
                return bytes[..random.Next(header, bytes.Length)];
            case "gzip of damaged raw":
                return Gzip(ByteMutations.Apply(random.Next(ByteMutations.Names.Length), bytes, random));
            default:
            {
                var gz = Gzip(bytes);
                return random.Next(4) == 0 ? [.. gz, .. gz] : ByteMutations.Apply(random.Next(ByteMutations.Names.Length), gz, random);
            }
        }
    }

    [Test]
    public void EveryMutatedFileIsRejectedWithInvalidDataOrLoadsItsExactBytes()
    {
        var random = new Random(1998);
        var harness = new FuzzHarness("IDX");
        int kinds = ByteMutations.Names.Length + IdxMutations.Length;
        for (int c = 0; c < Cases; c++)
        {
            bool images = c % 2 == 0;
            int magic = images ? IdxFile.ImagesMagic : IdxFile.LabelsMagic;
            int[] dims = images ? [3, 4, 5] : [7];
            byte[] raw = Raw(magic, dims, random);
            int kind = c / 2 % kinds;
            // Byte-level damage applies to raw files and (every other time) to their gzip form.
            bool gzipped = kind < ByteMutations.Names.Length && c / 2 / kinds % 2 == 1;
            byte[] file = kind < ByteMutations.Names.Length
                ? ByteMutations.Apply(kind, gzipped ? Gzip(raw) : raw, random)
                : Mutate(IdxMutations[kind - ByteMutations.Names.Length], raw, dims.Length, random);
            string mutation = kind < ByteMutations.Names.Length
                ? (gzipped ? "gzip " : "") + ByteMutations.Names[kind]
                : IdxMutations[kind - ByteMutations.Names.Length];
            harness.Run(c, mutation, file, bytes => IdxFile.Read(new MemoryStream(bytes, writable: false), $"case {c}", magic),
                loaded => CheckExact(loaded, file, dims.Length, c));
        }
        harness.Report(Cases);
        Assert.That(harness.Rejected + harness.Loaded, Is.EqualTo(Cases));
        Assert.That(harness.Rejected, Is.GreaterThan(Cases / 2), "most mutations are defects");
        Assert.That(harness.Loaded, Is.GreaterThan(100), "harmless mutations (data bytes, reshapes) load");
    }

    /// <summary>A loaded file is exactly its bytes: header sizes = dimensions, the rest = data, nothing dropped.</summary>
    private static void CheckExact(IdxFile loaded, byte[] file, int dimensions, int c)
    {
        byte[] raw = file.Length >= 2 && file[0] == 0x1f && file[1] == 0x8b ? Gunzip(file) : file;
        Assert.That(loaded.Dimensions, Has.Length.EqualTo(dimensions), $"case {c}");
        Assert.That(loaded.Dimensions, Is.All.GreaterThan(0), $"case {c}");
        for (int d = 0; d < dimensions; d++)
            Assert.That(loaded.Dimensions[d], Is.EqualTo(BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + 4 * d))), $"case {c}");
        Assert.That(loaded.Data.LongLength, Is.EqualTo(loaded.Dimensions.Aggregate(1L, (p, d) => p * d)), $"case {c}");
        Assert.That(loaded.Data, Is.EqualTo(raw[(4 + 4 * dimensions)..]), $"case {c}");
    }

    private static byte[] Gunzip(byte[] file)
    {
        using var z = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        return raw.ToArray();
    }
}
