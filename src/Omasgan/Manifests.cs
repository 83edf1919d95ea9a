using System.Text.Json;
using Omasgan.Detection;

namespace Omasgan;

/// <summary>A JSON manifest with a format version and a SHA-256 of its own content.</summary>
public interface ISealedManifest
{
    int FormatVersion { get; }

    /// <summary>Whether the recorded content hash matches the content.</summary>
    bool IsIntact();
}

internal static class Manifests
{
    /// <summary>
    /// Reads the manifest at <paramref name="path"/>, refusing one that does not parse, is of a format
    /// newer than <paramref name="currentVersion"/>, or was edited since it was written.
    /// </summary>
    /// <param name="what">what the file is, for messages ("model manifest").</param>
    public static T Read<T>(string path, string what, int currentVersion) where T : class, ISealedManifest
    {
        T manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<T>(File.ReadAllText(path), OmasganDetector.JsonOptions)
                ?? throw new ModelLoadException($"{path}: the {what} is empty.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ModelLoadException($"{path}: not a valid {what} ({e.Message}).", e);
        }
        if (manifest.FormatVersion > currentVersion)
            throw new ModelLoadException($"{path}: {what} format version {manifest.FormatVersion} is newer than this library reads ({currentVersion}).");
        if (!manifest.IsIntact())
            throw new ModelLoadException($"{path}: the {what} does not match its content SHA-256 (edited or damaged).");
        return manifest;
    }
}
