using Omasgan.Data;

namespace Omasgan.Tests.Data;

internal static class DataAssert
{
    /// <summary>
    /// <paramref name="read"/> fails with a <see cref="DataFormatException"/> about <paramref name="path"/>
    /// whose message is one line "{path}: {problem}" and whose problem mentions <paramref name="mentions"/>;
    /// it allocates less than <paramref name="maxAllocatedBytes"/> on the way.
    /// </summary>
    public static DataFormatException Fails(Func<IDisposable> read, string path, string mentions, long maxAllocatedBytes = 64L << 20)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => read().Dispose());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, error.Path);
        Assert.Equal($"{path}: {error.Problem}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(mentions, error.Problem, StringComparison.OrdinalIgnoreCase);
        Assert.True(allocated < maxAllocatedBytes, $"allocated {allocated} bytes before failing: {error.Message}");
        return error;
    }
}
