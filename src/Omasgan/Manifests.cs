using System.Text;
using System.Text.Json;
using Omasgan.Detection;

namespace Omasgan;

/// <summary>A JSON manifest with a format version and a SHA-256 of its own content.</summary>
public interface ISealedManifest
{
    int FormatVersion { get; }

    /// <summary>SHA-256 of the manifest's file as written, with this field's value empty: any edit is detected.</summary>
    string ContentSha256 { get; }
}

/// <summary>
/// Writes and reads sealed manifests. The seal is a hash of the file's bytes as written (with the
/// hash's own value empty), never of the JSON that the current types would write again: a manifest
/// written before a property was added to its types still reads as intact.
/// </summary>
internal static class Manifests
{
    private const string SealKey = "\"content_sha256\": \"";

    /// <summary>Writes <paramref name="manifest"/> (whose <see cref="ISealedManifest.ContentSha256"/> is empty) to <paramref name="path"/>, sealed.</summary>
    public static void Write<T>(string path, T manifest) where T : ISealedManifest
    {
        if (manifest.ContentSha256.Length != 0)
            throw new ArgumentException("The manifest is sealed already.", nameof(manifest));
        AtomicFile.WriteAllText(path, Seal(JsonSerializer.Serialize(manifest, OmasganDetector.JsonOptions)));
    }

    /// <summary>The JSON text of a manifest whose seal is empty, with its seal filled in.</summary>
    public static string Seal(string json)
    {
        int at = SealStart(json);
        if (at < 0 || json[at] != '"')
            throw new ArgumentException("The manifest's JSON has no empty content_sha256.", nameof(json));
        return json.Insert(at, Hashes.Of(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>Whether the JSON text's seal matches its bytes.</summary>
    public static bool IsIntact(string json)
    {
        int at = SealStart(json);
        int end = at < 0 ? -1 : json.IndexOf('"', at);
        if (end <= at) return false;
        string recorded = json[at..end];
        return Hashes.Same(recorded, Hashes.Of(Encoding.UTF8.GetBytes(json.Remove(at, end - at))));
    }

    /// <summary>Where the seal's value starts (after its opening quote), or −1.</summary>
    private static int SealStart(string json)
    {
        int key = json.LastIndexOf(SealKey, StringComparison.Ordinal);
        return key < 0 ? -1 : key + SealKey.Length;
    }

    /// <summary>
    /// Reads the manifest at <paramref name="path"/>, refusing one that does not parse, is of a format
    /// newer than <paramref name="currentVersion"/> or older than <paramref name="oldestVersion"/>, or
    /// was edited since it was written.
    /// </summary>
    /// <param name="what">what the file is, for messages ("model manifest").</param>
    /// <param name="oldestVersion">the oldest format still read; a manifest without a version is version 1.</param>
    public static T Read<T>(string path, string what, int currentVersion, int oldestVersion = 1) where T : class, ISealedManifest
    {
        string json = File.ReadAllText(path);
        int version;
        try
        {
            version = System.Text.Json.Nodes.JsonNode.Parse(json)?["format_version"]?.GetValue<int>() ?? 1;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException($"{path}: not a valid {what} ({e.Message}).", e);
        }
        if (version > currentVersion)
            throw new ModelLoadException($"{path}: {what} format version {version} is newer than this library reads ({currentVersion}).");
        if (version < oldestVersion)
            throw new ModelLoadException($"{path}: {what} format version {version} was written by an earlier version of the library and is no longer read (this one reads {oldestVersion}–{currentVersion}); fit the detector again.");
        T manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<T>(json, OmasganDetector.JsonOptions)
                ?? throw new ModelLoadException($"{path}: the {what} is empty.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ModelLoadException($"{path}: not a valid {what} ({e.Message}).", e);
        }
        if (!IsIntact(json))
            throw new ModelLoadException($"{path}: the {what} does not match its content SHA-256 (edited or damaged).");
        return manifest;
    }
}
