using CudaNet.Data;
using NUnit.Framework;

namespace CudaNet.Tests.DataPipeline;

public sealed class ImageAugmentationTests
{
    private const int H = 28, W = 28, F = H * W;
    private const ulong Seed = 1234;

    /// <summary><paramref name="count"/> copies of one image.</summary>
    private static float[] Copies(float[] image, int count)
    {
        var all = new float[image.Length * count];
        for (int i = 0; i < count; i++) image.CopyTo(all, i * image.Length);
        return all;
    }

    private static float[] Augment(ImageAugmentation augmentation, float[] source, int count, ulong seed = Seed, int epoch = 0)
    {
        var destination = new float[source.Length];
        augmentation.Apply(source, destination, count, seed, epoch);
        return destination;
    }

    [Test]
    public void AShiftMovesALitPixelByTheDrawnOffset()
    {
        // 600 images span three 256-image chunks, so chunk streams are exercised too.
        const int count = 600, row = 10, column = 12;
        var image = new float[F];
        image[row * W + column] = 1;
        var augmentation = new ImageAugmentation(H, W, maxShift: 2, flip: false);
        var output = Augment(augmentation, Copies(image, count), count, epoch: 3);
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < count; i++)
        {
            var t = augmentation.Draw(Seed, 3, i);
            Assert.That(t.Flip, Is.False);
            Assert.That(t.Down, Is.InRange(-2, 2));
            Assert.That(t.Right, Is.InRange(-2, 2));
            seen.Add((t.Down, t.Right));
            var result = output.AsSpan(i * F, F);
            Assert.That(result[(row + t.Down) * W + column + t.Right], Is.EqualTo(1f), $"image {i}");
            Assert.That(result.ToArray().Sum(), Is.EqualTo(1f), $"image {i}: one lit pixel");
        }
        Assert.That(seen, Has.Count.EqualTo(25), "every offset in [-2, 2]² is drawn");
    }

    [Test]
    public void VacatedPixelsAreFilledWithZero()
    {
        const int count = 300;
        var ones = Enumerable.Repeat(1f, F).ToArray();
        var augmentation = new ImageAugmentation(H, W, maxShift: 2, flip: true);
        var output = Augment(augmentation, Copies(ones, count), count);
        for (int i = 0; i < count; i++)
        {
            var t = augmentation.Draw(Seed, 0, i);
            var result = output.AsSpan(i * F, F);
            int zeros = result.ToArray().Count(v => v == 0);
            Assert.That(zeros, Is.EqualTo(Math.Abs(t.Down) * W + Math.Abs(t.Right) * (H - Math.Abs(t.Down))), $"image {i}");
            Assert.That(result.ToArray(), Is.All.EqualTo(0f).Or.EqualTo(1f));
            if (t.Down > 0) Assert.That(result[..W].ToArray(), Is.All.Zero, "shifted down: the top row is empty");
            if (t.Down < 0) Assert.That(result[^W..].ToArray(), Is.All.Zero, "shifted up: the bottom row is empty");
        }
    }

    [Test]
    public void AFlipMirrorsTheImageAboutHalfTheTime()
    {
        const int count = 1000, height = 5, width = 7;
        var image = Enumerable.Range(0, height * width).Select(v => (float)v).ToArray();
        var augmentation = new ImageAugmentation(height, width, maxShift: 0, flip: true);
        var output = Augment(augmentation, Copies(image, count), count);
        int flips = 0;
        for (int i = 0; i < count; i++)
        {
            var t = augmentation.Draw(Seed, 0, i);
            Assert.That((t.Down, t.Right), Is.EqualTo((0, 0)));
            flips += t.Flip ? 1 : 0;
            for (int r = 0; r < height; r++)
                for (int c = 0; c < width; c++)
                    Assert.That(output[i * height * width + r * width + c], Is.EqualTo(image[r * width + (t.Flip ? width - 1 - c : c)]));
        }
        // Binomial(1000, 0.5): sd 15.8, so ±80 is 5 sd.
        Assert.That(flips, Is.InRange(420, 580));
    }

    [Test]
    public void ShiftThenFlipSendsAPixelToTheMirroredShiftedColumn()
    {
        const int count = 64, row = 5, column = 3;
        var image = new float[F];
        image[row * W + column] = 1;
        var augmentation = new ImageAugmentation(H, W);
        var output = Augment(augmentation, Copies(image, count), count);
        for (int i = 0; i < count; i++)
        {
            var t = augmentation.Draw(Seed, 0, i);
            int to = t.Flip ? W - 1 - (column + t.Right) : column + t.Right;
            Assert.That(output[i * F + (row + t.Down) * W + to], Is.EqualTo(1f), $"image {i}");
        }
    }

    [Test]
    public void NoiseIsGaussianWithTheRequestedStdAndFollowsThePhiloxLayout()
    {
        const int count = 200, side = 8, pixels = side * side;
        const double sigma = 0.5;
        var augmentation = new ImageAugmentation(side, side, maxShift: 0, flip: false, noiseStd: sigma);
        var output = Augment(augmentation, new float[count * pixels], count, epoch: 2);
        double mean = output.Average(v => (double)v);
        double std = Math.Sqrt(output.Average(v => (v - mean) * (v - mean)));
        // 12,800 samples: the sd of the mean is 0.0044 and that of the std 0.0031.
        Assert.That(mean, Is.EqualTo(0).Within(0.02));
        Assert.That(std, Is.EqualTo(sigma).Within(0.015));
        ulong offset = (0xA1UL << 56) + 2;
        foreach (int k in new[] { 0, 1, 5, 63, 64, 777, count * pixels - 1 })
            Assert.That(output[k], Is.EqualTo((float)sigma * PhiloxNormal.Element(Seed, offset, (ulong)k)), $"element {k}");
    }

    [Test]
    public void DrawsAreDeterministicPerSeedAndEpochAndDifferAcrossThem()
    {
        const int count = 300;
        var source = Enumerable.Range(0, count * F).Select(i => (i * 37 % 101) / 100f).ToArray();
        var augmentation = new ImageAugmentation(H, W, noiseStd: 0.1);
        var first = Augment(augmentation, source, count, Seed, 1);
        Assert.That(Augment(augmentation, source, count, Seed, 1), Is.EqualTo(first));
        Assert.That(Augment(augmentation, source, count, Seed, 2), Is.Not.EqualTo(first));
        Assert.That(Augment(augmentation, source, count, Seed + 1, 1), Is.Not.EqualTo(first));
        // An image's draw depends on its position only, not on how many images are augmented with it.
        Assert.That(Augment(augmentation, source[..(100 * F)], 100, Seed, 1), Is.EqualTo(first[..(100 * F)]));
        var geometry = Enumerable.Range(0, count).Select(i => augmentation.Draw(Seed, 1, i)).ToArray();
        Assert.That(Enumerable.Range(0, count).Select(i => augmentation.Draw(Seed, 2, i)), Is.Not.EqualTo(geometry));
    }

    [Test]
    public void NothingChangesWhenEveryAugmentationIsDisabled()
    {
        const int count = 10;
        var source = Enumerable.Range(0, count * F).Select(i => i * 0.001f).ToArray();
        var output = Augment(new ImageAugmentation(H, W, maxShift: 0, flip: false, noiseStd: 0), source, count);
        Assert.That(output, Is.EqualTo(source));
        Assert.That(Augment(new ImageAugmentation(H, W, maxShift: 0, flip: false), [], 0), Is.Empty);
    }

    [Test]
    public void TheStandardizerRunsAfterTheGeometryAndBeforeTheNoise()
    {
        const int count = 4, side = 3;
        var raw = Enumerable.Range(0, count * side * side).Select(i => (i % 5) / 4f).ToArray();
        var standardizer = Standardizer.Fit(Dataset.WithTargets(raw, side * side, new float[count], 1));
        var plain = Augment(new ImageAugmentation(side, side, maxShift: 0, flip: false, standardizer: standardizer), raw, count);
        var expected = new float[raw.Length];
        standardizer.Apply(raw, expected);
        Assert.That(plain, Is.EqualTo(expected));
        // A shifted image: vacated pixels are raw zeros standardised, i.e. −mean / scale, not 0.
        var shifting = new ImageAugmentation(side, side, maxShift: 1, flip: false, standardizer: standardizer);
        var shifted = Augment(shifting, raw, count);
        var geometryOnly = Augment(new ImageAugmentation(side, side, maxShift: 1, flip: false), raw, count);
        var restandardized = new float[raw.Length];
        standardizer.Apply(geometryOnly, restandardized);
        Assert.That(shifted, Is.EqualTo(restandardized));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ImageAugmentation(0, 28))!.ParamName, Is.EqualTo("height"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ImageAugmentation(28, 28, maxShift: -1))!.ParamName, Is.EqualTo("maxShift"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ImageAugmentation(28, 28, noiseStd: double.NaN))!.ParamName, Is.EqualTo("noiseStd"));
        var wrongStandardizer = new Standardizer([0.0], [1.0]);
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new ImageAugmentation(28, 28, standardizer: wrongStandardizer))!.ParamName, Is.EqualTo("standardizer"));
        var augmentation = new ImageAugmentation(2, 2);
        var e = Assert.Throws<ArgumentException>(() => augmentation.Apply(new float[8], new float[8], 3, Seed, 0))!;
        Assert.That(e.Message, Does.Contain("ImageAugmentation.Apply").And.Contain("source"));
        Assert.Throws<ArgumentException>(() => augmentation.Apply(new float[8], new float[4], 2, Seed, 0));
        var shared = new float[8];
        Assert.Throws<ArgumentException>(() => augmentation.Apply(shared, shared, 2, Seed, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => augmentation.Apply(new float[8], new float[8], 2, Seed, -1));
    }
}
