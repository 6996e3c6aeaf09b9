using System.Text.Json;
using CudaNet.IO;

namespace CudaNet.Data;

/// <summary>
/// Feature-wise standardisation with statistics taken from a training set: x'ⱼ = (xⱼ − meanⱼ) / max(stdⱼ, minStd),
/// where meanⱼ and stdⱼ are the mean and the population standard deviation (divide by N, as
/// <c>sklearn.preprocessing.StandardScaler</c>) of feature j, computed in float64.
/// </summary>
/// <remarks>
/// The floor <see cref="MinStd"/> keeps constant features (a pixel that is 0 in every training image) at 0 instead
/// of 0/0 = NaN, and bounds by 1/minStd how much a rare value of a nearly constant feature is amplified (a border
/// pixel that is almost always 0 in the training set, or one that a random shift moves content into). The default
/// 0.01 suits features whose range is of order one, such as pixels scaled to [0, 1] (one grey level is
/// 1/255 ≈ 0.004); pass a smaller floor for features measured in small units. Save the statistics with the model
/// (<see cref="Save"/>, <see cref="ToJson"/>) so new data is evaluated with the training set's statistics.
/// </remarks>
public sealed class Standardizer
{
    /// <summary>The default floor of the divisor (see the remarks of the class).</summary>
    public const double DefaultMinStd = 1e-2;

    private const string Format = "cudanet.standardizer";
    private const int Version = 1;
    private readonly double[] _mean, _std;

    /// <summary>A standardizer with the given statistics (e.g. read back from a checkpoint).</summary>
    /// <exception cref="ArgumentException">The arrays are empty or differ in length, a mean is not finite, a std is
    /// negative or not finite, or <paramref name="minStd"/> is not a positive finite number.</exception>
    public Standardizer(IReadOnlyList<double> mean, IReadOnlyList<double> std, double minStd = DefaultMinStd)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (!(double.IsFinite(minStd) && minStd > 0))
            throw new ArgumentOutOfRangeException(nameof(minStd), minStd, "Standardizer: minStd must be a positive finite number.");
        if (mean.Count == 0 || mean.Count != std.Count)
            throw new ArgumentException($"Standardizer: {mean.Count} means and {std.Count} standard deviations (need the same positive count).", nameof(std));
        for (int j = 0; j < mean.Count; j++)
        {
            if (!double.IsFinite(mean[j])) throw new ArgumentException($"Standardizer: mean of feature {j} is {mean[j]}.", nameof(mean));
            if (!(double.IsFinite(std[j]) && std[j] >= 0))
                throw new ArgumentException($"Standardizer: std of feature {j} is {std[j]} (must be finite and >= 0).", nameof(std));
        }
        _mean = [.. mean];
        _std = [.. std];
        MinStd = minStd;
    }

    /// <summary>Feature-wise mean and population std of <paramref name="data"/>, in float64 (two passes).</summary>
    public static Standardizer Fit(Dataset data, double minStd = DefaultMinStd)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("Standardizer.Fit: the data set is empty.", nameof(data));
        int n = data.Count, f = data.FeatureCount;
        var x = data.Features;
        var mean = new double[f];
        var std = new double[f];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) mean[j] += x[i * f + j];
        for (int j = 0; j < f; j++) mean[j] /= n;
        // Second pass over deviations: no cancellation, unlike E[x²] − E[x]².
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++)
            {
                double d = x[i * f + j] - mean[j];
                std[j] += d * d;
            }
        for (int j = 0; j < f; j++) std[j] = Math.Sqrt(std[j] / n);
        return new Standardizer(mean, std, minStd);
    }

    /// <summary>Features per example.</summary>
    public int FeatureCount => _mean.Length;
    /// <summary>Mean of each feature.</summary>
    public IReadOnlyList<double> Mean => _mean;
    /// <summary>Population standard deviation of each feature, before the floor.</summary>
    public IReadOnlyList<double> Std => _std;
    /// <summary>Floor of the divisor: feature j is divided by max(Std[j], MinStd).</summary>
    public double MinStd { get; }

    /// <summary>The divisor of feature <paramref name="feature"/>: max(Std, MinStd).</summary>
    public double Scale(int feature) => Math.Max(_std[feature], MinStd);

    /// <summary>Standardises rows of features (length a multiple of <see cref="FeatureCount"/>); the spans may be the
    /// same memory (in place), computed in float64 and rounded to float32.</summary>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination)
    {
        int f = _mean.Length;
        if (source.Length % f != 0)
            throw new ArgumentException($"Standardizer.Apply: source has {source.Length} values, not a multiple of {f} features.", nameof(source));
        if (destination.Length != source.Length)
            throw new ArgumentException($"Standardizer.Apply: destination has {destination.Length} values but source has {source.Length}.", nameof(destination));
        for (int row = 0; row < source.Length; row += f)
            for (int j = 0; j < f; j++)
                destination[row + j] = (float)((source[row + j] - _mean[j]) / Math.Max(_std[j], MinStd));
    }

    /// <summary>A copy of <paramref name="data"/> with standardised features (labels or targets unchanged).</summary>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"Standardizer.Apply: data has {data.FeatureCount} features but the statistics cover {FeatureCount}.", nameof(data));
        var features = new float[data.Features.Length];
        Apply(data.Features, features);
        return data.Labels is not null
            ? Dataset.WithLabels(features, data.FeatureCount, [.. data.Labels], data.Classes)
            : Dataset.WithTargets(features, data.FeatureCount, [.. data.Targets!], data.TargetFeatures);
    }

    /// <summary>The statistics as JSON: <c>{"format":"cudanet.standardizer","version":1,"min_std":…,"mean":[…],"std":[…]}</c>,
    /// numbers written so that they read back bit-exactly.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        WriteJson(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, WriteJson);

    /// <summary>Reads statistics written by <see cref="ToJson"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not such a document or its values are invalid.</exception>
    public static Standardizer FromJson(string json) => Parse(json, "standardizer JSON");

    /// <summary>Reads statistics written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a document; the message names the file.</exception>
    public static Standardizer Load(string path) => Parse(File.ReadAllText(path), path);

    private void WriteJson(Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("version", Version);
        writer.WriteNumber("min_std", MinStd);
        WriteArray(writer, "mean", _mean);
        WriteArray(writer, "std", _std);
        writer.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, double[] values)
    {
        writer.WriteStartArray(name);
        foreach (double v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    private static Standardizer Parse(string json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != Format)
                throw new InvalidDataException($"{name}: not a {Format} document");
            int version = root.GetProperty("version").GetInt32();
            if (version != Version) throw new InvalidDataException($"{name}: version {version} is not supported (only {Version})");
            var mean = root.GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var std = root.GetProperty("std").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return new Standardizer(mean, std, root.GetProperty("min_std").GetDouble());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{name}: invalid standardizer ({e.Message})", e);
        }
    }
}
