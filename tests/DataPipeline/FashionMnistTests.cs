using System.Buffers.Binary;
using System.IO.Compression;
using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.DataPipeline;

public sealed class FashionMnistTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("cudanet-fmnist").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string RepoSample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CudaNet.sln"))) return Path.Combine(dir.FullName, "data", "fashion-mnist-sample");
        throw new DirectoryNotFoundException("CudaNet.sln not found above the test assembly.");
    }

    private static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    /// <summary>Writes a tiny Fashion-MNIST (3 train, 2 test images of <paramref name="side"/>²) into
    /// <paramref name="folder"/>, gzip-compressed or raw; returns the folder.</summary>
    private static string WriteSet(string folder, bool gzip, int side = 28)
    {
        Directory.CreateDirectory(folder);
        void Write(string name, byte[] content)
        {
            if (!gzip)
            {
                File.WriteAllBytes(Path.Combine(folder, name), content);
                return;
            }
            using var file = File.Create(Path.Combine(folder, name + ".gz"));
            using var z = new GZipStream(file, CompressionLevel.Fastest);
            z.Write(content);
        }
        Write("train-images-idx3-ubyte", Idx(IdxFile.ImagesMagic, [3, side, side], Enumerable.Range(0, 3 * side * side).Select(i => (byte)i).ToArray()));
        Write("train-labels-idx1-ubyte", Idx(IdxFile.LabelsMagic, [3], [9, 0, 3]));
        Write("t10k-images-idx3-ubyte", Idx(IdxFile.ImagesMagic, [2, side, side], new byte[2 * side * side]));
        Write("t10k-labels-idx1-ubyte", Idx(IdxFile.LabelsMagic, [2], [1, 2]));
        return folder;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AGivenFolderIsUsed(bool gzip)
    {
        WriteSet(_folder, gzip);
        var set = FashionMnist.Load(_folder);
        Assert.That(set.Source, Is.EqualTo(FashionMnistSource.Directory));
        Assert.That((set.Train.Count, set.Test.Count, set.Train.Height, set.Train.Width), Is.EqualTo((3, 2, 28, 28)));
        Assert.That(set.Train.Labels, Is.EqualTo(new byte[] { 9, 0, 3 }));
        Assert.That(set.Train.Pixels[785], Is.EqualTo((byte)(785 % 256)));
        Assert.That(set.Description, Is.EqualTo($"using Fashion-MNIST from {_folder} (3 train / 2 test images)"));
    }

    [Test]
    public void AGivenFolderNeverFallsBack()
    {
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(Path.Combine(_folder, "absent")));
        WriteSet(_folder, gzip: true);
        File.Delete(Path.Combine(_folder, "t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_folder))!;
        Assert.That(e.Message, Does.Contain("t10k-labels-idx1-ubyte"));
        Assert.That(e.FileName, Is.EqualTo(Path.Combine(_folder, "t10k-labels-idx1-ubyte.gz")));
    }

    [Test]
    public void CorruptFilesAreNamed()
    {
        WriteSet(_folder, gzip: false);
        string images = Path.Combine(_folder, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..100]);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_folder))!;
        Assert.That(e.Message, Does.Contain(images).And.Contain("truncated"));
    }

    [Test]
    public void ImagesOfAnotherSizeAreRejected()
    {
        WriteSet(_folder, gzip: false, side: 5);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_folder))!;
        Assert.That(e.Message, Does.Contain("train-images-idx3-ubyte").And.Contain("5×5").And.Contain("28×28"));
    }

    [Test]
    public void TheSystemFolderComesBeforeTheSample()
    {
        string system = WriteSet(Path.Combine(_folder, "system"), gzip: true);
        var set = FashionMnist.Load(null, system, RepoSample());
        Assert.That(set.Source, Is.EqualTo(FashionMnistSource.SystemPackage));
        Assert.That(set.Train.Count, Is.EqualTo(3));
    }

    [Test]
    public void TheSampleIsTheFallbackAndSaysSo()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "empty-system"));
        var set = FashionMnist.Load(null, Path.Combine(_folder, "empty-system"), RepoSample());
        Assert.That(set.Source, Is.EqualTo(FashionMnistSource.BundledSample));
        Assert.That((set.Train.Count, set.Test.Count), Is.EqualTo((3000, 1000)));
        Assert.That(set.Description, Is.EqualTo(
            "using the bundled sample (3,000 train / 1,000 test images); install dataset-fashion-mnist or pass --data DIR for the full set"));
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(null, Path.Combine(_folder, "absent"), null))!;
        Assert.That(e.Message, Does.Contain("dataset-fashion-mnist").And.Contain("--data"));
    }

    [Test]
    public void TheDefaultSearchFindsTheSystemPackageOrTheSample()
    {
        Assert.That(FashionMnist.FindSample(), Is.EqualTo(RepoSample()).Or.SamePath(RepoSample()));
        var set = FashionMnist.Load();
        bool installed = new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .All(name => File.Exists(Path.Combine(FashionMnist.SystemDirectory, name + ".gz")) || File.Exists(Path.Combine(FashionMnist.SystemDirectory, name)));
        if (installed)
        {
            Assert.That(set.Source, Is.EqualTo(FashionMnistSource.SystemPackage));
            Assert.That((set.Train.Count, set.Test.Count), Is.EqualTo((60000, 10000)));
        }
        else
        {
            Assert.That(set.Source, Is.EqualTo(FashionMnistSource.BundledSample));
            Assert.That((set.Train.Count, set.Test.Count), Is.EqualTo((3000, 1000)));
        }
    }

    [Test]
    public void ClassNamesFollowTheDataSetsLabels()
    {
        Assert.That(FashionMnist.ClassNames, Has.Count.EqualTo(10));
        Assert.That(FashionMnist.ClassNames[0], Is.EqualTo("T-shirt/top"));
        Assert.That(FashionMnist.ClassNames[6], Is.EqualTo("Shirt"));
        Assert.That(FashionMnist.ClassNames[9], Is.EqualTo("Ankle boot"));
    }
}
