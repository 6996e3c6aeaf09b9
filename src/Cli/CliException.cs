namespace CudaNet.Cli;

/// <summary>A user error (bad option value, missing file, unusable device): printed as one line, exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>Runs a command body and turns failures into one-line errors and exit codes.</summary>
internal static class CliErrors
{
    /// <summary>Exit code of a user error.</summary>
    public const int UsageError = 2;

    public static int Run(string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is CliException or ArgumentException or InvalidDataException or FileNotFoundException
                                      or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            Console.Error.WriteLine($"cudanet {command}: error: {e.Message}");
            return UsageError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"cudanet {command}: failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
