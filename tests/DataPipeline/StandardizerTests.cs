using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.DataPipeline;

public sealed class StandardizerTests
{
    // Three examples of three features: a ramp, a constant, and a nearly constant one.
    private static Dataset Sample() => Dataset.WithLabels([1f, 5f, 0f, 2f, 5f, 0f, 3f, 5f, 0.0078125f], 3, [0, 1, 1], 2);

    [Test]
    public void MeanAndPopulationStdHaveTheirClosedForms()
    {
        var s = Standardizer.Fit(Sample());
        Assert.That(s.FeatureCount, Is.EqualTo(3));
        Assert.That(s.Mean, Is.EqualTo(new[] { 2.0, 5.0, 0.0078125 / 3 }).Within(1e-15));
        // Population std (divide by N = 3): ramp sqrt(2/3); constant 0; last sqrt(2)·0.0078125/3.
        Assert.That(s.Std, Is.EqualTo(new[] { Math.Sqrt(2.0 / 3), 0.0, Math.Sqrt(2) * 0.0078125 / 3 }).Within(1e-15));
        Assert.That(s.MinStd, Is.EqualTo(Standardizer.DefaultMinStd));
        Assert.That(s.Scale(0), Is.EqualTo(Math.Sqrt(2.0 / 3)));
        Assert.That(s.Scale(1), Is.EqualTo(0.01), "a constant feature is divided by the floor");
        Assert.That(s.Scale(2), Is.EqualTo(0.01), "std 0.0037 is below the floor");
    }

    [Test]
    public void ApplyStandardisesAndMapsConstantFeaturesToZero()
    {
        var data = Sample();
        var standardized = Standardizer.Fit(data).Apply(data);
        double r = 1 / Math.Sqrt(2.0 / 3), m = 0.0078125 / 3;
        Assert.That(standardized.Features, Is.EqualTo(new[]
        {
            -r, 0, -m / 0.01,
            0, 0, -m / 0.01,
            r, 0, (0.0078125 - m) / 0.01,
        }).Within(1e-6));
        Assert.That(standardized.Features, Is.All.Not.NaN);
        Assert.That(standardized.Labels, Is.EqualTo(data.Labels));
        Assert.That(standardized.Classes, Is.EqualTo(2));
        Assert.That(data.Features[0], Is.EqualTo(1f), "the input is not modified");
    }

    [Test]
    public void StatisticsAreComputedInFloat64WithoutCancellation()
    {
        // Float32 accumulation of 1e6 + {0, 1, 2} would lose the spread; two float64 passes are exact.
        var s = Standardizer.Fit(Dataset.WithTargets([1e6f, 1e6f + 1, 1e6f + 2], 1, [0f, 0f, 0f], 1));
        Assert.That(s.Mean[0], Is.EqualTo(1e6 + 1));
        Assert.That(s.Std[0], Is.EqualTo(Math.Sqrt(2.0 / 3)).Within(1e-15));
        var applied = s.Apply(Dataset.WithTargets([1e6f + 2], 1, [7f], 1));
        Assert.That(applied.Features[0], Is.EqualTo((float)(1 / Math.Sqrt(2.0 / 3))));
        Assert.That(applied.Targets, Is.EqualTo(new[] { 7f }));
    }

    [Test]
    public void ApplyWorksInPlaceOnRows()
    {
        var s = new Standardizer([1.0, -2.0], [2.0, 0.5], minStd: 1e-3);
        float[] rows = [3f, -2f, 1f, -1f];
        s.Apply(rows, rows);
        Assert.That(rows, Is.EqualTo(new[] { 1f, 0f, 0f, 2f }));
    }

    [Test]
    public void JsonRoundTripsBitExactly()
    {
        var s = Standardizer.Fit(Sample(), minStd: 1e-3);
        var back = Standardizer.FromJson(s.ToJson());
        Assert.That(back.Mean, Is.EqualTo(s.Mean));
        Assert.That(back.Std, Is.EqualTo(s.Std));
        Assert.That(back.MinStd, Is.EqualTo(1e-3));
        Assert.That(s.ToJson(), Does.StartWith("{\"format\":\"cudanet.standardizer\",\"version\":1,"));
    }

    [Test]
    public void SaveAndLoadUseAFile()
    {
        string folder = Directory.CreateTempSubdirectory("cudanet-std").FullName;
        try
        {
            string path = Path.Combine(folder, "standardizer.json");
            var s = Standardizer.Fit(Sample());
            s.Save(path);
            var back = Standardizer.Load(path);
            Assert.That(back.Apply(Sample()).Features, Is.EqualTo(s.Apply(Sample()).Features));
            File.WriteAllText(path, "{\"format\":\"cudanet.standardizer\",\"version\":1,\"min_std\":0.01,\"mean\":[1,2],\"std\":[1]}");
            var e = Assert.Throws<InvalidDataException>(() => Standardizer.Load(path))!;
            Assert.That(e.Message, Does.Contain(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase("not json")]
    [TestCase("{\"format\":\"other\"}")]
    [TestCase("{\"format\":\"cudanet.standardizer\",\"version\":2,\"min_std\":0.01,\"mean\":[1],\"std\":[1]}")]
    [TestCase("{\"format\":\"cudanet.standardizer\",\"version\":1,\"min_std\":0.01,\"mean\":[1],\"std\":[-1]}")]
    [TestCase("{\"format\":\"cudanet.standardizer\",\"version\":1,\"min_std\":0,\"mean\":[1],\"std\":[1]}")]
    [TestCase("{\"format\":\"cudanet.standardizer\",\"version\":1,\"mean\":[1],\"std\":[1]}")]
    public void BadJsonIsInvalidData(string json) =>
        Assert.Throws<InvalidDataException>(() => Standardizer.FromJson(json));

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Standardizer.Fit(Sample(), minStd: 0))!.ParamName, Is.EqualTo("minStd"));
        Assert.Throws<ArgumentException>(() => _ = new Standardizer([1.0], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => _ = new Standardizer([double.NaN], [1.0]));
        var s = Standardizer.Fit(Sample());
        var e = Assert.Throws<ArgumentException>(() => s.Apply(Dataset.WithLabels([1f, 2f], 2, [0], 1)))!;
        Assert.That(e.Message, Does.Contain("Standardizer.Apply").And.Contain("2 features"));
        Assert.Throws<ArgumentException>(() => s.Apply(new float[4], new float[4]));
        Assert.Throws<ArgumentException>(() => s.Apply(new float[3], new float[6]));
    }
}
