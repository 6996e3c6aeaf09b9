using System.Text;
using System.Text.RegularExpressions;

namespace CudaNet.Cuda;

/// <summary>
/// The PTX modules generated from <c>kernels.cu</c> by <c>tools/generate-ptx.sh</c> and embedded in this assembly
/// (DESIGN.md §5): one per target architecture, each holding every kernel as an <c>extern "C"</c> entry point.
/// </summary>
public static partial class PtxModules
{
    /// <summary>
    /// The targets shipped: <c>sm_75</c>, which every op runs on, and <c>sm_80</c>, which adds the tensor-core
    /// kernels. The driver JIT-compiles either for newer GPUs.
    /// </summary>
    public static IReadOnlyList<string> Architectures { get; } = ["sm_75", "sm_80"];

    /// <summary>The PTX text of the module for <paramref name="arch"/> (<c>"sm_75"</c> or <c>"sm_80"</c>).</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="arch"/> is not one of <see cref="Architectures"/>.
    /// </exception>
    public static string Load(string arch)
    {
        ArgumentNullException.ThrowIfNull(arch);
        if (!Architectures.Contains(arch))
        {
            throw new ArgumentException(
                $"No PTX module for architecture '{arch}': the embedded targets are " +
                $"{string.Join(", ", Architectures)}.", nameof(arch));
        }
        string resource = $"kernels.{arch}.ptx";
        using var stream = typeof(PtxModules).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(
                $"The embedded resource '{resource}' is missing from {typeof(PtxModules).Assembly.GetName().Name}: " +
                "run tools/generate-ptx.sh and rebuild.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The names of the kernels of the module for <paramref name="arch"/>, in file order.</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="arch"/> is not one of <see cref="Architectures"/>.
    /// </exception>
    public static IReadOnlyList<string> EntryPoints(string arch) => ParseEntryPoints(Load(arch));

    /// <summary>The names declared by <c>.visible .entry name(</c> lines of a PTX text, in file order.</summary>
    public static IReadOnlyList<string> ParseEntryPoints(string ptx)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        return EntryDeclaration().Matches(ptx).Select(match => match.Groups["name"].Value).ToArray();
    }

    /// <summary>The byte size of each parameter of entry point <paramref name="entry"/> in a PTX text, in order
    /// (<c>.u64</c> 8, <c>.u32</c>/<c>.f32</c> 4, …): what a recorded launch copies of each argument.</summary>
    /// <exception cref="ArgumentException">The PTX declares no entry <paramref name="entry"/>, or a parameter
    /// that is not a scalar.</exception>
    public static byte[] ParseParameterSizes(string ptx, string entry)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        ArgumentNullException.ThrowIfNull(entry);
        var declaration = Regex.Match(ptx, $@"^\.visible\s+\.entry\s+{Regex.Escape(entry)}\s*\((?<parameters>[^)]*)\)",
            RegexOptions.Multiline);
        if (!declaration.Success) throw new ArgumentException($"The PTX declares no entry '{entry}'.", nameof(entry));
        var parameters = declaration.Groups["parameters"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new byte[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            var scalar = ScalarParameter().Match(parameters[i]);
            if (!scalar.Success)
                throw new ArgumentException($"Parameter {i} of '{entry}' is not a scalar: '{parameters[i]}'.", nameof(entry));
            sizes[i] = (byte)(int.Parse(scalar.Groups["bits"].Value) / 8);
        }
        return sizes;
    }

    [GeneratedRegex(@"^\.visible\s+\.entry\s+(?<name>[A-Za-z_$][A-Za-z0-9_$]*)\s*\(", RegexOptions.Multiline)]
    private static partial Regex EntryDeclaration();

    [GeneratedRegex(@"^\.param\s+\.[usbf](?<bits>8|16|32|64)\s+\S+$")]
    private static partial Regex ScalarParameter();
}
