using CudaNet.Data;

namespace CudaNet.Tests.Training;

/// <summary>Seeded synthetic classification data: Gaussian blobs around random class centres.</summary>
internal static class Blobs
{
    /// <summary>
    /// <paramref name="count"/> examples of <paramref name="classes"/> classes in <paramref name="features"/>
    /// dimensions: centre_c ~ N(0, separation²) per coordinate, x = centre_label + N(0, 1); a fraction
    /// <paramref name="labelNoise"/> of the labels is then replaced by a uniformly drawn class. The centres depend on
    /// <paramref name="centreSeed"/> only, so sets drawn with different <paramref name="seed"/>s share them.
    /// </summary>
    public static Dataset Make(int count, int features, int classes, double separation, ulong seed, double labelNoise = 0,
        ulong centreSeed = 1)
    {
        var centres = new double[classes * features];
        var centreRandom = new HostRandom(centreSeed, 0xCE);
        for (int i = 0; i < centres.Length; i++) centres[i] = centreRandom.Normal(0, separation);
        var random = new HostRandom(seed, 0xB1);
        var x = new float[count * features];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int label = random.NextInt(classes);
            for (int f = 0; f < features; f++) x[n * features + f] = (float)(centres[label * features + f] + random.Normal());
            labels[n] = random.NextDouble() < labelNoise ? random.NextInt(classes) : label;
        }
        return Dataset.WithLabels(x, features, labels, classes);
    }
}
