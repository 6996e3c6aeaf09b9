using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.Checkpoints;

/// <summary>A fresh temporary folder per test, the repository root, and the models and data the tests share.</summary>
public abstract class CheckpointFixture
{
    /// <summary>The test's temporary folder (deleted afterwards).</summary>
    protected string Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder() => Folder = Directory.CreateTempSubdirectory("cudanet-ckpt").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(Folder, recursive: true);

    /// <summary>A path inside <see cref="Folder"/>.</summary>
    protected string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>The repository root (the folder holding tests/golden), found upwards from the test binaries.</summary>
    protected static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
                if (Directory.Exists(Path.Combine(dir.FullName, "tests", "golden"))) return dir.FullName;
            throw new DirectoryNotFoundException("No tests/golden folder above the test binaries.");
        }
    }

    /// <summary>An MLP with every built-in kind of state: BatchNorm buffers and counter, Dropout's call count.</summary>
    protected static Sequential Mlp(int inputs = 784, int hidden = 32, int classes = 10) => new(
        new Dense(inputs, hidden), new BatchNorm(hidden), new ReLU(), new Dropout(0.2),
        new Dense(hidden, hidden, regularizer: Regularizer.Ridge(1e-4)), new Tanh(), new Dense(hidden, classes));

    /// <summary>The first <paramref name="count"/> examples of the bundled Fashion-MNIST sample.</summary>
    protected static Dataset FashionSample(int count)
    {
        string folder = Path.Combine(RepositoryRoot, "data", "fashion-mnist-sample");
        var images = LabeledImages.Load(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        return Dataset.FromImages(images).Subset(Enumerable.Range(0, count).ToArray());
    }

    /// <summary>Synthetic classification data: features N(0,1), labels from a fixed linear rule so training learns.</summary>
    protected static Dataset Synthetic(int count, int features, int classes, int seed)
    {
        var x = Support.TestData.Normal<float>(seed, count * features);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double score = 0;
                for (int f = c; f < features; f += classes) score += x[i * features + f];
                if (score > best) (best, labels[i]) = (score, c);
            }
        }
        return Dataset.WithLabels(x, features, labels, classes);
    }

    /// <summary>Bit patterns, so NaN payloads and -0 compare exactly.</summary>
    protected static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
