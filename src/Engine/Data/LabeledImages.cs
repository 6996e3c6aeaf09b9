namespace CudaNet.Data;

/// <summary>
/// A labelled image set as stored in IDX pairs (MNIST, Fashion-MNIST): <see cref="Count"/> images of
/// <see cref="Height"/>×<see cref="Width"/> unsigned-byte pixels and one label in [0, <see cref="Classes"/>) each.
/// </summary>
public sealed class LabeledImages
{
    private LabeledImages(byte[] pixels, byte[] labels, int count, int height, int width, int classes)
    {
        Pixels = pixels;
        Labels = labels;
        Count = count;
        Height = height;
        Width = width;
        Classes = classes;
    }

    /// <summary>Pixels, image after image, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>One label per image.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>Columns per image.</summary>
    public int Width { get; }

    /// <summary>Number of classes the labels range over.</summary>
    public int Classes { get; }

    /// <summary>Pixels per image (the feature count).</summary>
    public int Features => Height * Width;

    /// <summary>
    /// Loads an image file and its label file and checks that they belong together: same count, every label
    /// below <paramref name="classes"/>. Nothing is returned half-loaded.
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is invalid or they disagree; the message names the file.</exception>
    public static LabeledImages Load(string imagesPath, string labelsPath, int classes = 10)
    {
        if (classes is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(classes), classes, "LabeledImages: classes must be in [1, 256].");
        var images = IdxFile.Read(imagesPath, IdxFile.ImagesMagic);
        var labels = IdxFile.Read(labelsPath, IdxFile.LabelsMagic);
        int count = images.Dimensions[0];
        if (labels.Dimensions[0] != count)
            throw new InvalidDataException($"{labelsPath}: holds {labels.Dimensions[0]} labels but {imagesPath} holds {count} images");
        int bad = Array.FindIndex(labels.Data, l => l >= classes);
        if (bad >= 0)
            throw new InvalidDataException($"{labelsPath}: label {labels.Data[bad]} of image {bad} is outside [0, {classes})");
        return new LabeledImages(images.Data, labels.Data, count, images.Dimensions[1], images.Dimensions[2], classes);
    }
}
