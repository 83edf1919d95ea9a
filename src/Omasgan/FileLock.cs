namespace Omasgan;

/// <summary>
/// An exclusive lock between processes on a lock file: the file opened with no sharing, which .NET
/// holds as an advisory lock of the whole file; deleted when released.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream stream;

    private FileLock(FileStream stream) => this.stream = stream;

    /// <summary>The lock on <paramref name="path"/>, or null when another process holds it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The lock on <paramref name="path"/>, waiting for it up to <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">another process held it all that time.</exception>
    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (TryAcquire(path) is { } acquired)
                return acquired;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{path}: another process has held this lock for {timeout.TotalSeconds:F0} s.");
            Thread.Sleep(100);
        }
    }

    public void Dispose() => stream.Dispose();
}
