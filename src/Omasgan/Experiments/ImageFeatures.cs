using Omasgan.Data;
using Omasgan.Features;
using static TorchSharp.torch;

namespace Omasgan.Experiments;

/// <summary>
/// What detectors see of images: the pixels themselves (the image networks), or the 512 numbers the
/// ImageNet ResNet-18 gives each image (<see cref="ResNet18Embedder"/>), which then go through the
/// vector path (<see cref="VectorPreset"/>, the vector baselines). Embeddings are cached on disk per
/// source (<see cref="EmbeddingCache"/>), so every fold and seed reuses one pass over the data.
/// </summary>
public static class ImageFeatures
{
    public const string Pixels = "pixels";
    public const string ResNet18 = "resnet18";

    public static IReadOnlyList<string> Names { get; } = [Pixels, ResNet18];

    /// <summary>The file beside a saved model trained on embeddings, naming them (read by <c>omasgan score</c>).</summary>
    public const string FileName = "features.json";

    /// <summary>Checks a features name (case-insensitive) and returns it in lower case.</summary>
    /// <exception cref="ArgumentException">an unknown name.</exception>
    public static string Parse(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        return Names.Contains(n) ? n : throw new ArgumentException($"--features {name}: use {string.Join(" or ", Names)}.");
    }

    /// <summary>
    /// The embeddings of <paramref name="images"/> as rows with the same labels and a source that says
    /// so, with progress lines: read from the cache under <paramref name="cacheName"/> when it holds these
    /// images, otherwise computed and cached; with no <paramref name="cacheName"/>, computed only.
    /// </summary>
    public static SampleSet Embed(SampleSet images, string? cacheName, ResNet18Embedder embedder, string? cacheDirectory, IFitObserver observer)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long reported = 0;
        void Progress(long done, long total)
        {
            if (done == total || done - reported >= 5000)
            {
                reported = done;
                observer.Info($"Embedding {images.Source} with ResNet-18: {done:N0}/{total:N0} images, {clock.Elapsed.TotalSeconds:F0} s");
            }
        }
        Tensor embeddings;
        if (cacheName is null)
            embeddings = embedder.Embed(images.Samples, Progress);
        else
        {
            CachedEmbeddings cached = EmbeddingCache.GetOrCreate(cacheDirectory ?? EmbeddingCache.DefaultDirectory, cacheName, images, embedder, Progress);
            observer.Info(cached.Reused
                ? $"ResNet-18 embeddings of {images.Source}: reused from {cached.Path}."
                : $"ResNet-18 embeddings of {images.Source}: computed in {clock.Elapsed.TotalSeconds:F0} s ({cached.Reason}), cached in {cached.Path}.");
            embeddings = cached.Embeddings;
        }
        return new SampleSet(embeddings, images.Labels, $"{images.Source}, ResNet-18 embeddings");
    }

    /// <summary>Marks a saved model as fitted on ResNet-18 embeddings of images resized to <paramref name="inputSize"/>.</summary>
    public static void WriteMarker(string modelDirectory, int inputSize) =>
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, FileName),
            System.Text.Json.JsonSerializer.Serialize(new Marker(ResNet18, inputSize), Detection.OmasganDetector.JsonOptions));

    /// <summary>The embedding side of a model fitted on ResNet-18 embeddings, or null for a model of pixels or rows.</summary>
    public static int? ReadMarker(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            Marker marker = System.Text.Json.JsonSerializer.Deserialize<Marker>(File.ReadAllText(path), Detection.OmasganDetector.JsonOptions)
                ?? throw new System.Text.Json.JsonException("empty");
            return marker.Features == ResNet18 && marker.InputSize is >= 32 and <= 1024 ? marker.InputSize
                : throw new System.Text.Json.JsonException($"features '{marker.Features}', input size {marker.InputSize}");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new Detection.ModelLoadException($"{path}: cannot be read ({e.Message}).", e);
        }
    }

    private sealed record Marker(string Features, int InputSize);

    /// <summary>The cache name of a dataset's split, e.g. "fashion-mnist-train".</summary>
    public static string CacheName(string dataset, DataSplit split) => $"{dataset.ToLowerInvariant()}-{split.ToString().ToLowerInvariant()}";
}
