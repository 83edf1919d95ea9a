using System.Text.Json;
using Omasgan.Detection;

namespace Omasgan;

/// <summary>Reads the JSON settings files the project writes (config.json, loo-config.json).</summary>
internal static class ConfigFile
{
    /// <summary>The <typeparamref name="T"/> in <paramref name="path"/>; <paramref name="what"/> names it in messages.</summary>
    /// <exception cref="InvalidDataException">the file is empty or not <paramref name="what"/>.</exception>
    public static T Read<T>(string path, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), OmasganDetector.JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty {what}.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not {what} ({e.Message}).", e);
        }
    }
}
