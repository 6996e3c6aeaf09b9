using System.Buffers.Binary;
using System.Text;
using CudaNet.IO;
using NUnit.Framework;

namespace CudaNet.Tests.IO;

public sealed class SafeTensorsTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-st").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static KeyValuePair<string, SafeTensorEntry> Named(string name, SafeTensorEntry entry) => new(name, entry);

    [Test]
    public void RoundTripIsBitIdenticalAndKeepsOrderAndMetadata()
    {
        float[] weights = [1.5f, -0f, float.NaN, float.PositiveInfinity, BitConverter.Int32BitsToSingle(0x7fc00123), 3e-45f];
        string path = Path.Combine(_folder, "model.safetensors");
        SafeTensors.Save(path,
            [Named("0.weight", SafeTensorEntry.FromFloats(weights, 2, 3)), Named("1.num_batches_tracked", SafeTensorEntry.FromInt64s([42L])),
             Named("scalar", SafeTensorEntry.FromDoubles([Math.PI]))],
            new Dictionary<string, string> { ["format"] = "pt" });
        var file = SafeTensors.Load(path);
        Assert.That(file.Names, Is.EqualTo(new[] { "0.weight", "1.num_batches_tracked", "scalar" }));
        var loaded = file.Get("0.weight", SafeTensorDType.F32, 2, 3).ToFloats();
        Assert.That(loaded.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(weights.Select(BitConverter.SingleToInt32Bits)));
        Assert.That(file.Get("1.num_batches_tracked", SafeTensorDType.I64).ToInt64s(), Is.EqualTo(new[] { 42L }));
        Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
        var bytes = File.ReadAllBytes(path);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8, Is.Zero, "header padded to 8 bytes");
        Assert.That(file.Get("scalar", SafeTensorDType.F64).ToDoubles()[0], Is.EqualTo(Math.PI));
    }

    [Test]
    public void GetRejectsWrongDtypeOrShape()
    {
        string path = Path.Combine(_folder, "m.safetensors");
        SafeTensors.Save(path, [Named("w", SafeTensorEntry.FromFloats([1f, 2f], 2))]);
        var file = SafeTensors.Load(path);
        Assert.That(() => file.Get("w", SafeTensorDType.F64, 2), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("F32 [2]"));
        Assert.That(() => file.Get("w", SafeTensorDType.F32, 1, 2), Throws.InstanceOf<InvalidDataException>());
        Assert.That(() => file.Get("v", SafeTensorDType.F32, 2), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("missing"));
    }

    private static byte[] Raw(string header, int dataBytes, long? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredLength ?? json.Length));
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        const string ok = "\"dtype\":\"F32\",\"shape\":[2]";
        yield return new TestCaseData(new byte[3], "no 8-byte header length").SetName("Truncated length");
        yield return new TestCaseData(Raw("{}", 0, declaredLength: 200_000_000), "exceeds").SetName("Header over cap");
        yield return new TestCaseData(Raw("{}", 0, declaredLength: 50), "past the end").SetName("Header past end");
        yield return new TestCaseData(Raw("{\"a\":", 0), "not valid JSON").SetName("Broken JSON");
        yield return new TestCaseData(Raw("[1,2]", 0), "not a JSON object").SetName("Array header");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[0,8]}},\"a\":{{{ok},\"data_offsets\":[8,16]}}}}", 16), "appears twice").SetName("Duplicate key");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[0,8]}},\"b\":{{{ok},\"data_offsets\":[4,12]}}}}", 12), "overlaps").SetName("Overlapping offsets");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[4,12]}}}}", 12), "hole").SetName("Hole before data");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[0,8]}}}}", 4), "holds 4").SetName("Offsets out of range");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[0,8]}}}}", 9), "holds 9").SetName("Trailing bytes");
        yield return new TestCaseData(Raw("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "unsupported dtype").SetName("Unsupported dtype");
        yield return new TestCaseData(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12").SetName("Shape does not match bytes");
        yield return new TestCaseData(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "invalid dimension").SetName("Negative dimension");
        yield return new TestCaseData(Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8), "too large").SetName("Huge shape");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[8,0]}}}}", 8), "before it begins").SetName("Reversed offsets");
        yield return new TestCaseData(Raw($"{{\"a\":{{{ok},\"data_offsets\":[0,8],\"extra\":1}}}}", 8), "unknown field").SetName("Unknown field");
        yield return new TestCaseData(Raw("{\"__metadata__\":{\"k\":1}}", 0), "not a string").SetName("Non-string metadata");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void InvalidFilesRaiseInvalidDataNamingFileAndDefect(byte[] content, string defect)
    {
        string path = Path.Combine(_folder, "bad.safetensors");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain(defect));
    }

    [Test]
    public void SaveRejectsDuplicateOrReservedNames()
    {
        string path = Path.Combine(_folder, "m.safetensors");
        var entry = SafeTensorEntry.FromFloats([1f], 1);
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("a", entry), Named("a", entry)]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("__metadata__", entry)]));
        Assert.Throws<ArgumentException>(() => _ = new SafeTensorEntry(SafeTensorDType.F32, [3], new byte[8]));
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void AFailedAtomicWriteLeavesThePreviousFileAndNoTempFile()
    {
        string path = Path.Combine(_folder, "checkpoint.bin");
        AtomicFile.Write(path, s => s.Write("old"u8));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half-written new cont"u8);
            throw new InvalidOperationException("simulated crash");
        }));
        Assert.That(File.ReadAllText(path), Is.EqualTo("old"));
        Assert.That(Directory.GetFiles(_folder), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void AtomicWriteIntoAMissingFolderFailsWithoutCreatingAnything()
    {
        string path = Path.Combine(_folder, "no-such-folder", "x.bin");
        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(path, s => s.WriteByte(1)));
        Assert.That(Directory.GetFileSystemEntries(_folder), Is.Empty);
    }
}
