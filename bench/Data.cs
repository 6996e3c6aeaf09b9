namespace CudaNet.Bench;

/// <summary>Seeded benchmark inputs.</summary>
internal static class Data
{
    public static float[] Uniform(ulong seed, int n)
    {
        var random = new HostRandom(seed, 0xBE);
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float)random.Uniform(-1, 1);
        return values;
    }
}
