namespace Omasgan;

/// <summary>Writes files so that a reader sees either the old content or the whole new one.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(contents);
        });

    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file of its own (so processes writing the
    /// same file at once do not share one), flushes it to disk, then renames it over <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temporary = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The write's own failure is the one to report.
            }
            throw;
        }
    }
}
