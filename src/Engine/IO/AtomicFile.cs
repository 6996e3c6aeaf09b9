namespace CudaNet.IO;

/// <summary>
/// Writes files so that a crash never leaves a half-written one: the content goes to a temporary file in the
/// same folder, is flushed to disk, and is then renamed over the target (an atomic replace on POSIX and NTFS).
/// A crash before the rename leaves the previous file intact, and may leave its temporary file behind: the next
/// write of the same target deletes such stale temporary files (those no other process holds open).
/// </summary>
public static class AtomicFile
{
    /// <summary>Prefix of the temporary files, so stale ones from a killed process can be recognised.</summary>
    public const string TempPrefix = ".cudanet-tmp-";

    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="write"/> produces.</summary>
    /// <exception cref="IOException">The folder is not writable or the disk is full; the target is unchanged.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(folder, $"{TempPrefix}{Path.GetFileName(full)}-{Guid.NewGuid():N}");
        DeleteStaleTemps(folder, Path.GetFileName(full));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files earlier writes of <paramref name="fileName"/> left when their process was killed.
    /// A writer holds its temporary file open exclusively (an advisory lock on Unix), so one that cannot be opened
    /// exclusively belongs to a live write and is left alone.
    /// </summary>
    private static void DeleteStaleTemps(string folder, string fileName)
    {
        IEnumerable<string> stale;
        try
        {
            stale = Directory.EnumerateFiles(folder, $"{TempPrefix}{fileName}-*").ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        foreach (string path in stale)
        {
            try
            {
                using var claim = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                // In use by a concurrent write, or already gone.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more; a stale temp file is recognisable by its prefix.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
