namespace Omasgan.Data;

/// <summary>
/// A file or folder that cannot be read as the expected format. The message is one line,
/// <c>{Path}: {Problem}</c>, fit to show a user as it is.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>An error about <paramref name="path"/>; line breaks in <paramref name="problem"/> become spaces.</summary>
    public DataFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {OneLine(problem)}", inner)
    {
        Path = path;
        Problem = OneLine(problem);
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, on one line.</summary>
    public string Problem { get; }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
