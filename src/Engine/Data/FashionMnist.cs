using System.Globalization;

namespace CudaNet.Data;

/// <summary>Where <see cref="FashionMnist.Load(string?)"/> found the data set.</summary>
public enum FashionMnistSource
{
    /// <summary>The folder the caller named.</summary>
    Directory,
    /// <summary>Debian's <c>dataset-fashion-mnist</c> package, at <see cref="FashionMnist.SystemDirectory"/>.</summary>
    SystemPackage,
    /// <summary>The small real sample shipped in the repository's <c>data/fashion-mnist-sample</c>.</summary>
    BundledSample,
}

/// <summary>Fashion-MNIST's training and test images, and where they came from.</summary>
/// <param name="Train">The training images (60,000 in the full set).</param>
/// <param name="Test">The test images (10,000 in the full set).</param>
/// <param name="Source">Which of the searched places held them.</param>
/// <param name="Folder">The folder they were read from.</param>
public sealed record FashionMnistData(LabeledImages Train, LabeledImages Test, FashionMnistSource Source, string Folder)
{
    /// <summary>One line for the user saying which data is used (and, for the sample, how to get the full set).</summary>
    public string Description => Source == FashionMnistSource.BundledSample
        ? $"using the bundled sample ({Counts}); install dataset-fashion-mnist or pass --data DIR for the full set"
        : $"using Fashion-MNIST from {Folder} ({Counts})";

    private string Counts => string.Create(CultureInfo.InvariantCulture, $"{Train.Count:N0} train / {Test.Count:N0} test images");
}

/// <summary>
/// Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; 28×28 grey images of 10 kinds of clothing) from its four
/// IDX files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each gzip-compressed with a <c>.gz</c> suffix or raw).
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the data set.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The sample's folder relative to the repository root (the folder holding <c>CudaNet.sln</c>).</summary>
    public const string SampleFolder = "data/fashion-mnist-sample";

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Loads from <paramref name="dataDir"/> when given (no fallback: its files must be there); otherwise from
    /// <see cref="SystemDirectory"/> when it holds all four files; otherwise from the bundled sample, looked for next
    /// to the executable and then in every folder above the executable and above the current directory that holds
    /// <c>CudaNet.sln</c>. <see cref="FashionMnistData.Description"/> says which was used.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dataDir"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing (the message names it), or no source was found.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt or the files disagree; the message names the file.</exception>
    public static FashionMnistData Load(string? dataDir = null) => Load(dataDir, SystemDirectory, FindSample());

    /// <summary><see cref="Load(string?)"/> with the system folder and the sample folder given (for tests).</summary>
    internal static FashionMnistData Load(string? dataDir, string systemDirectory, string? sampleDirectory)
    {
        if (dataDir is not null)
        {
            if (!System.IO.Directory.Exists(dataDir))
                throw new DirectoryNotFoundException($"Fashion-MNIST: the data folder {dataDir} does not exist.");
            return Read(dataDir, FashionMnistSource.Directory);
        }
        if (HasAllFiles(systemDirectory)) return Read(systemDirectory, FashionMnistSource.SystemPackage);
        if (sampleDirectory is not null) return Read(sampleDirectory, FashionMnistSource.BundledSample);
        throw new FileNotFoundException($"Fashion-MNIST: not found in {systemDirectory} and the bundled sample ({SampleFolder}) " +
                                        "was not found next to the executable or above it; install dataset-fashion-mnist or pass --data DIR.");
    }

    /// <summary>The bundled sample's folder, or null when it cannot be found (see <see cref="Load(string?)"/>).</summary>
    public static string? FindSample()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, SampleFolder) };
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CudaNet.sln"))) candidates.Add(Path.Combine(dir.FullName, SampleFolder));
        return candidates.FirstOrDefault(HasAllFiles);
    }

    private static FashionMnistData Read(string folder, FashionMnistSource source)
    {
        var paths = FileNames.Select(name => Locate(folder, name)).ToArray();
        var train = LabeledImages.Load(paths[0], paths[1]);
        var test = LabeledImages.Load(paths[2], paths[3]);
        foreach (var (images, path) in new[] { (train, paths[0]), (test, paths[2]) })
            if ((images.Height, images.Width) != (28, 28))
                throw new InvalidDataException($"{path}: images are {images.Height}×{images.Width}, but Fashion-MNIST's are 28×28");
        return new FashionMnistData(train, test, source, Path.GetFullPath(folder));
    }

    private static string Locate(string folder, string name)
    {
        string gzip = Path.Combine(folder, name + ".gz"), raw = Path.Combine(folder, name);
        if (File.Exists(gzip)) return gzip;
        if (File.Exists(raw)) return raw;
        throw new FileNotFoundException($"Fashion-MNIST: {gzip} not found (nor {name} uncompressed).", gzip);
    }

    private static bool HasAllFiles(string folder) =>
        System.IO.Directory.Exists(folder) &&
        FileNames.All(name => File.Exists(Path.Combine(folder, name + ".gz")) || File.Exists(Path.Combine(folder, name)));
}
