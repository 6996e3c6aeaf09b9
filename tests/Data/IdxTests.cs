using System.Buffers.Binary;
using System.IO.Compression;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Data;

public sealed class IdxTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-idx").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CudaNet.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("CudaNet.sln not found above the test assembly.");
    }

    private static byte[] Header(int magic, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    private string Write(string name, byte[] content, bool gzip = false)
    {
        string path = Path.Combine(_folder, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, content);
            return path;
        }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(content);
        return path;
    }

    [Test]
    public void TheBundledSampleLoadsWithItsDocumentedCounts()
    {
        string dir = Path.Combine(RepoRoot(), "data", "fashion-mnist-sample");
        var train = LabeledImages.Load(Path.Combine(dir, "train-images-idx3-ubyte.gz"), Path.Combine(dir, "train-labels-idx1-ubyte.gz"));
        var test = LabeledImages.Load(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));
        Assert.That((train.Count, train.Height, train.Width, train.Features), Is.EqualTo((3000, 28, 28, 784)));
        Assert.That(test.Count, Is.EqualTo(1000));
        var perClass = train.Labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(perClass.Keys, Is.EquivalentTo(Enumerable.Range(0, 10).Select(i => (byte)i)));
        Assert.That(perClass.Values.Min(), Is.EqualTo(282));
        Assert.That(perClass.Values.Max(), Is.EqualTo(321));
        // Fashion-MNIST's first training image is an ankle boot (class 9).
        Assert.That(train.Labels[0], Is.EqualTo(9));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReadsRawAndGzipFiles(bool gzip)
    {
        byte[] content = [.. Header(IdxFile.ImagesMagic, 2, 2, 3), .. Enumerable.Range(1, 12).Select(i => (byte)i)];
        var idx = IdxFile.Read(Write("images", content, gzip), IdxFile.ImagesMagic);
        Assert.That(idx.Dimensions, Is.EqualTo(new[] { 2, 2, 3 }));
        Assert.That(idx.Data, Is.EqualTo(Enumerable.Range(1, 12).Select(i => (byte)i).ToArray()));
    }

    private static IEnumerable<TestCaseData> BadFiles()
    {
        byte[] Images(params int[] dims) => Header(IdxFile.ImagesMagic, dims);
        yield return new TestCaseData(Array.Empty<byte>(), "truncated header").SetName("Empty file");
        yield return new TestCaseData(new byte[] { 1, 0, 8, 3 }, "not an IDX file").SetName("Magic without zero bytes");
        yield return new TestCaseData(Header(0x00000D03, 1, 1, 1).Append((byte)0).ToArray(), "element type 0x0D").SetName("Float element type");
        yield return new TestCaseData(Header(IdxFile.LabelsMagic, 1).Append((byte)0).ToArray(), "0x00000803").SetName("Labels where images expected");
        yield return new TestCaseData(Images(1, 28), "truncated header").SetName("Missing dimension");
        yield return new TestCaseData(Images(-5, 28, 28), "size -5").SetName("Negative size");
        yield return new TestCaseData(Images(0, 28, 28), "size 0").SetName("Zero size");
        yield return new TestCaseData(Images(int.MaxValue, 28, 28), "claim more than").SetName("Huge sizes");
        yield return new TestCaseData(Images(2, 2, 2).Concat(new byte[7]).ToArray(), "truncated data (7 of 8").SetName("Truncated data");
        yield return new TestCaseData(Images(1, 2, 2).Concat(new byte[5]).ToArray(), "after the 4 bytes").SetName("Trailing data");
    }

    [TestCaseSource(nameof(BadFiles))]
    public void InvalidFilesRaiseInvalidDataNamingFileAndDefect(byte[] content, string defect)
    {
        string path = Write("bad.idx", content);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, IdxFile.ImagesMagic))!;
        Assert.That(e.Message, Does.StartWith(path).And.Contain(defect));
    }

    [Test]
    public void CorruptGzipRaisesInvalidData()
    {
        byte[] content = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef];
        string path = Write("bad.gz", content);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, IdxFile.ImagesMagic))!;
        Assert.That(e.Message, Does.StartWith(path));
    }

    [Test]
    public void PairsMustAgreeOnCountAndLabelRange()
    {
        string images = Write("images", [.. Header(IdxFile.ImagesMagic, 2, 1, 1), 5, 6]);
        string threeLabels = Write("labels3", [.. Header(IdxFile.LabelsMagic, 3), 0, 1, 2]);
        string badLabel = Write("labels-bad", [.. Header(IdxFile.LabelsMagic, 2), 1, 10]);
        var e = Assert.Throws<InvalidDataException>(() => LabeledImages.Load(images, threeLabels))!;
        Assert.That(e.Message, Does.Contain("3 labels").And.Contain("2 images"));
        e = Assert.Throws<InvalidDataException>(() => LabeledImages.Load(images, badLabel))!;
        Assert.That(e.Message, Does.Contain("label 10 of image 1"));
        Assert.Throws<FileNotFoundException>(() => LabeledImages.Load(Path.Combine(_folder, "missing"), badLabel));
    }
}
