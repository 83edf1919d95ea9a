using System.Text.Json;
using Omasgan.Detection;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// A peer detector behind the same surface as OMASGAN's: fitted on normal samples only (prepared
/// images (n, c, h, w) in [−1, 1], or vectors), scoring new samples with higher = more anomalous,
/// saved to and loaded from a folder.
/// </summary>
public interface IBaselineDetector : IDisposable
{
    /// <summary>The detector's name in reports and on the command line, e.g. "knn".</summary>
    string Name { get; }

    /// <summary>Anomaly scores of <paramref name="samples"/>: higher = more anomalous.</summary>
    float[] Score(Tensor samples);

    /// <summary>Writes the fitted detector into <paramref name="directory"/>.</summary>
    void Save(string directory);
}

/// <summary>Settings of the baselines, each sized for the same CPU budget as the cpu preset.</summary>
public sealed record BaselineOptions
{
    /// <summary>kNN: neighbours averaged (1–1,000; default 5).</summary>
    public int Neighbours { get; init; } = 5;
    /// <summary>PCA: components kept (1–1,000; default 20).</summary>
    public int PcaRank { get; init; } = 20;
    /// <summary>Autoencoder and Deep SVDD: training steps (1–1,000,000; default 1,500).</summary>
    public int Steps { get; init; } = 1500;
    public int BatchSize { get; init; } = 64;

    public void Validate()
    {
        OptionChecks.InRange(Neighbours, 1, 1000, nameof(Neighbours));
        OptionChecks.InRange(PcaRank, 1, 1000, nameof(PcaRank));
        OptionChecks.InRange(Steps, 1, 1_000_000, nameof(Steps));
        OptionChecks.InRange(BatchSize, 2, 65_536, nameof(BatchSize));
    }
}

/// <summary>Fits and loads the baselines by name.</summary>
public static class BaselineDetectors
{
    public const string Knn = "knn";
    public const string Pca = "pca";
    public const string Autoencoder = "autoencoder";
    public const string DeepSvdd = "deep-svdd";
    public const string DescriptionFileName = "baseline.json";

    public static IReadOnlyList<string> Names { get; } = [Knn, Pca, Autoencoder, DeepSvdd];

    /// <summary>Fits the baseline <paramref name="name"/> on normal samples only (no labels are taken).</summary>
    public static IBaselineDetector Fit(string name, Tensor normal, BaselineOptions options, int seed)
    {
        options.Validate();
        if (normal.dim() < 2 || normal.shape[0] < 2)
            throw new ArgumentException($"Need at least two normal samples; got shape [{string.Join(", ", normal.shape)}].");
        manual_seed(seed);
        return name switch
        {
            Knn => KnnDetector.Fit(normal, options.Neighbours),
            Pca => PcaDetector.Fit(normal, options.PcaRank, seed),
            Autoencoder => AutoencoderDetector.Fit(normal, options),
            DeepSvdd => DeepSvddDetector.Fit(normal, options),
            _ => throw new ArgumentException($"Unknown detector '{name}'; use one of: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Loads a baseline saved by <see cref="IBaselineDetector.Save"/>.</summary>
    /// <exception cref="ModelLoadException">the folder holds no readable baseline.</exception>
    public static IBaselineDetector Load(string directory)
    {
        string path = Path.Combine(directory, DescriptionFileName);
        BaselineDescription description;
        try
        {
            description = JsonSerializer.Deserialize<BaselineDescription>(File.ReadAllText(path), OmasganDetector.JsonOptions)
                ?? throw new ModelLoadException($"{path}: empty.");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"{path}: not a saved baseline ({e.Message}).", e);
        }
        try
        {
            return description.Name switch
            {
                Knn => KnnDetector.Load(directory, description),
                Pca => PcaDetector.Load(directory),
                Autoencoder => AutoencoderDetector.Load(directory, description),
                DeepSvdd => DeepSvddDetector.Load(directory, description),
                _ => throw new ModelLoadException($"{path}: unknown detector '{description.Name}'."),
            };
        }
        catch (Exception e) when (e is not ModelLoadException and not OutOfMemoryException)
        {
            throw new ModelLoadException($"{directory}: the saved {description.Name} detector cannot be read ({e.Message}).", e);
        }
    }

    internal static void WriteDescription(string directory, BaselineDescription description)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, DescriptionFileName), JsonSerializer.Serialize(description, OmasganDetector.JsonOptions));
    }

    /// <summary>Scores in slices of <paramref name="batch"/> rows, without gradients.</summary>
    internal static float[] InBatches(Tensor samples, int batch, Func<Tensor, Tensor> score)
    {
        var scores = new float[samples.shape[0]];
        using var _ = no_grad();
        for (long start = 0; start < scores.Length; start += batch)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batch, scores.Length - start);
            score(samples.narrow(0, start, count).to_type(ScalarType.Float32)).to_type(ScalarType.Float32).data<float>()
                .CopyTo(scores, (int)start);
        }
        return scores;
    }
}

/// <summary>What a saved baseline is: its name, sample shape and the settings that rebuild it.</summary>
internal sealed record BaselineDescription(string Name, long[] SampleShape, int Neighbours = 0, float[]? Centre = null);
