namespace CudaNet.Data;

/// <summary>The geometric draw of one image: shift by (<paramref name="Down"/>, <paramref name="Right"/>) pixels,
/// then mirror left–right when <paramref name="Flip"/>.</summary>
public readonly record struct ImageTransform(int Down, int Right, bool Flip);

/// <summary>
/// On-the-fly augmentation of single-channel images stored as rows of height × width pixels: a random shift of up
/// to <see cref="MaxShift"/> pixels in each direction (uniform over −MaxShift…MaxShift, vacated pixels set to 0),
/// a horizontal flip with probability ½, then the optional <see cref="Standardizer"/>, then Gaussian noise of
/// standard deviation <see cref="NoiseStd"/>.
/// </summary>
/// <remarks>
/// Order, and why: shifts and flips act in pixel space, where the zero fill is the black background of the raw
/// [0, 1] pixels (in standardised space 0 would be the mean image instead); so pass the training set raw and give
/// the standardizer fitted on it here, and standardise the validation set with the same standardizer. The noise
/// comes last so that σ is in the units the network sees (feature standard deviations when standardised) and is not
/// amplified by a floored std. A pixel moves from (r, c) to (r + Down, c + Right), and the flip then sends column c to
/// width − 1 − c.
/// Random streams: image i of epoch e draws (Down, Right, Flip) from <see cref="HostRandom"/>(seed,
/// 0xA0·2⁵⁶ + e·2²⁴ + i / 256) in the order Down, Right, flip word (top bit set = flip), continuing for the images
/// of the same 256-image chunk; the noise of element (i, j) is element i·F + j of the Philox normal stream
/// (<see cref="PhiloxNormal"/>) with offset 0xA1·2⁵⁶ + e. Chunks have fixed size, so the result does not depend on
/// the thread count.
/// </remarks>
public sealed class ImageAugmentation : IAugmentation
{
    private const int ChunkImages = 256;
    private const ulong GeometryTag = 0xA0UL << 56, NoiseTag = 0xA1UL << 56;

    /// <summary>Creates the augmentation for <paramref name="height"/> × <paramref name="width"/> images.</summary>
    /// <param name="height">Rows per image (≥ 1).</param>
    /// <param name="width">Columns per image (≥ 1).</param>
    /// <param name="maxShift">Largest shift in pixels in each direction (≥ 0; 0 disables shifting).</param>
    /// <param name="flip">Mirror left–right with probability ½.</param>
    /// <param name="noiseStd">σ of the additive Gaussian noise (≥ 0; 0 disables it).</param>
    /// <param name="standardizer">Applied after the geometric transform and before the noise (null: none).</param>
    public ImageAugmentation(int height, int width, int maxShift = 2, bool flip = true, double noiseStd = 0, Standardizer? standardizer = null)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "ImageAugmentation: height must be >= 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "ImageAugmentation: width must be >= 1.");
        if (maxShift < 0 || maxShift > Math.Max(height, width))
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, $"ImageAugmentation: maxShift must be in [0, {Math.Max(height, width)}].");
        if (!(double.IsFinite(noiseStd) && noiseStd >= 0))
            throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "ImageAugmentation: noiseStd must be finite and >= 0.");
        if ((long)height * width > int.MaxValue)
            throw new ArgumentException($"ImageAugmentation: {height} × {width} pixels is too many.", nameof(width));
        if (standardizer is not null && standardizer.FeatureCount != height * width)
            throw new ArgumentException($"ImageAugmentation: the standardizer covers {standardizer.FeatureCount} features but images have {height * width} pixels.", nameof(standardizer));
        (Height, Width, MaxShift, Flip, NoiseStd, Standardizer) = (height, width, maxShift, flip, noiseStd, standardizer);
    }

    /// <summary>Rows per image.</summary>
    public int Height { get; }
    /// <summary>Columns per image.</summary>
    public int Width { get; }
    /// <summary>Largest shift in each direction, in pixels.</summary>
    public int MaxShift { get; }
    /// <summary>Whether images are mirrored left–right with probability ½.</summary>
    public bool Flip { get; }
    /// <summary>σ of the additive Gaussian noise.</summary>
    public double NoiseStd { get; }
    /// <summary>Standardisation applied between the geometric transform and the noise, or null.</summary>
    public Standardizer? Standardizer { get; }
    /// <inheritdoc/>
    public int FeatureCount => Height * Width;

    /// <summary>The shift and flip that (<paramref name="seed"/>, <paramref name="epoch"/>) draw for image
    /// <paramref name="image"/> (a shift of 0 and no flip where those are disabled).</summary>
    public ImageTransform Draw(ulong seed, int epoch, int image)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(image);
        var random = new HostRandom(seed, GeometryStream(epoch, image / ChunkImages));
        for (int i = 0; i < image % ChunkImages; i++) Next(random);
        return Next(random);
    }

    /// <inheritdoc/>
    public unsafe void Apply(ReadOnlySpan<float> source, Span<float> destination, int count, ulong seed, int epoch)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "ImageAugmentation.Apply: count must be >= 0.");
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "ImageAugmentation.Apply: epoch must be >= 0.");
        long length = (long)count * FeatureCount;
        if (source.Length != length)
            throw new ArgumentException($"ImageAugmentation.Apply: source has {source.Length} values but {count} images of {FeatureCount} pixels need {length}.", nameof(source));
        if (destination.Length != length)
            throw new ArgumentException($"ImageAugmentation.Apply: destination has {destination.Length} values but {count} images of {FeatureCount} pixels need {length}.", nameof(destination));
        if (source.Overlaps(destination))
            throw new ArgumentException("ImageAugmentation.Apply: destination overlaps source (shifts read neighbouring pixels).", nameof(destination));
        int chunks = (count + ChunkImages - 1) / ChunkImages;
        fixed (float* input = source, output = destination)
        {
            nint sourceAddress = (nint)input, destinationAddress = (nint)output;
            Parallel.For(0, chunks, chunk =>
                AugmentChunk((float*)sourceAddress, (float*)destinationAddress, count, chunk, seed, epoch));
        }
    }

    private unsafe void AugmentChunk(float* source, float* destination, int count, int chunk, ulong seed, int epoch)
    {
        int pixels = FeatureCount;
        var random = new HostRandom(seed, GeometryStream(epoch, chunk));
        int end = Math.Min(count, (chunk + 1) * ChunkImages);
        for (int image = chunk * ChunkImages; image < end; image++)
        {
            var input = new ReadOnlySpan<float>(source + (long)image * pixels, pixels);
            var output = new Span<float>(destination + (long)image * pixels, pixels);
            Transform(input, output, Next(random));
            Standardizer?.Apply(output, output);
            if (NoiseStd > 0) AddNoise(output, seed, epoch, (ulong)image * (ulong)pixels);
        }
    }

    private ImageTransform Next(HostRandom random)
    {
        int down = random.NextInt(2 * MaxShift + 1) - MaxShift;
        int right = random.NextInt(2 * MaxShift + 1) - MaxShift;
        bool flip = random.NextUInt32() >= 0x8000_0000u;
        return new ImageTransform(down, right, Flip && flip);
    }

    // output(r, c) = input(r − Down, c' − Right) with c' = W − 1 − c when flipped (else c); 0 outside the image.
    private void Transform(ReadOnlySpan<float> input, Span<float> output, ImageTransform t)
    {
        if (t is { Down: 0, Right: 0, Flip: false })
        {
            input.CopyTo(output);
            return;
        }
        for (int r = 0; r < Height; r++)
        {
            var row = output.Slice(r * Width, Width);
            int from = r - t.Down;
            if ((uint)from >= (uint)Height)
            {
                row.Clear();
                continue;
            }
            var sourceRow = input.Slice(from * Width, Width);
            for (int c = 0; c < Width; c++)
            {
                int column = (t.Flip ? Width - 1 - c : c) - t.Right;
                row[c] = (uint)column < (uint)Width ? sourceRow[column] : 0f;
            }
        }
    }

    private void AddNoise(Span<float> output, ulong seed, int epoch, ulong firstElement)
    {
        ulong offset = NoiseTag + (ulong)epoch;
        float std = (float)NoiseStd;
        Span<float> block = stackalloc float[4];
        ulong loaded = ulong.MaxValue;
        for (int j = 0; j < output.Length; j++)
        {
            ulong element = firstElement + (ulong)j;
            if (element / 4 != loaded)
            {
                loaded = element / 4;
                (block[0], block[1], block[2], block[3]) = PhiloxNormal.Block(seed, offset, loaded);
            }
            output[j] += std * block[(int)(element % 4)];
        }
    }

    private static ulong GeometryStream(int epoch, int chunk) => GeometryTag + ((ulong)epoch << 24) + (ulong)chunk;
}
