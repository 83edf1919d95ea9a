using Omasgan.Data;
using Omasgan.Detection;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>Settings of the baselines, each sized for the same CPU budget as the cpu preset.</summary>
public sealed record BaselineOptions
{
    /// <summary>kNN: neighbours averaged (1–1,000; default 5).</summary>
    public int Neighbours { get; init; } = 5;
    /// <summary>LOF: neighbours (1–1,000; default 20, scikit-learn's).</summary>
    public int LofNeighbours { get; init; } = 20;
    /// <summary>
    /// Standardise each feature with the normal training data's statistics before fitting (rows of
    /// features only; images are always scaled to [−1, 1]). Default on: a table's columns come in units
    /// of their own, and OMASGAN standardises them too.
    /// </summary>
    public bool StandardizeRows { get; init; } = true;
    /// <summary>PCA: components kept (1–1,000; default 20; at most half the feature count).</summary>
    public int PcaRank { get; init; } = 20;
    /// <summary>Autoencoder and Deep SVDD: training steps (1–1,000,000; default 1,500).</summary>
    public int Steps { get; init; } = 1500;
    public int BatchSize { get; init; } = 64;

    public void Validate()
    {
        OptionChecks.InRange(Neighbours, 1, 1000, nameof(Neighbours));
        OptionChecks.InRange(LofNeighbours, 1, 1000, nameof(LofNeighbours));
        OptionChecks.InRange(PcaRank, 1, 1000, nameof(PcaRank));
        OptionChecks.InRange(Steps, 1, 1_000_000, nameof(Steps));
        OptionChecks.InRange(BatchSize, 2, 65_536, nameof(BatchSize));
    }
}

/// <summary>What a saved baseline is: the manifest.json of its folder.</summary>
public sealed record BaselineManifest : ISealedManifest
{
    /// <summary>2: the detector owns its input pipeline and threshold. Version 1 (no version field) scored prepared images and is not read.</summary>
    public const int CurrentFormatVersion = 2;

    public int FormatVersion { get; init; } = 1;
    public required string Name { get; init; }
    /// <summary>The shape of one prepared sample.</summary>
    public required long[] SampleShape { get; init; }
    public ImageInput? Input { get; init; }
    public FeatureScaling? Scaling { get; init; }
    public required double Contamination { get; init; }
    public required double[] TrainingScoreQuantiles { get; init; }
    /// <summary>kNN: neighbours averaged.</summary>
    public int Neighbours { get; init; }
    /// <summary>Deep SVDD: the centre c.</summary>
    public float[]? Centre { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
    public string ContentSha256 { get; init; } = "";
}

/// <summary>
/// What the baselines share: the detector surface, an input pipeline fitted on the normal training
/// data (images scaled to [−1, 1] and resized as for OMASGAN), one score column, and a threshold taken
/// from the scores of up to <see cref="ThresholdSamples"/> normal training samples.
/// </summary>
public abstract class BaselineDetector : IAnomalyDetector
{
    /// <summary>Normal training samples (evenly spaced) whose scores give the threshold.</summary>
    public const int ThresholdSamples = 5000;

    protected BaselineDetector(InputPipeline input, long[] sampleShape)
    {
        Input = input;
        SampleShape = sampleShape;
    }

    public abstract string Name { get; }
    /// <summary>The detector's name in reports.</summary>
    protected abstract string Title { get; }
    public InputPipeline Input { get; }
    /// <summary>The shape of one prepared sample.</summary>
    public long[] SampleShape { get; }
    public ScoreThreshold Threshold { get; private set; } = new(ScoreThreshold.DefaultContamination, []);
    public IReadOnlyList<ScoreColumn> Columns => [new ScoreColumn(Name, Title)];

    /// <summary>Samples scored per batch.</summary>
    protected virtual int ScoreBatchSize => 1024;

    /// <summary>Per-sample anomaly scores of a batch of prepared samples, higher = more anomalous.</summary>
    protected abstract Tensor ScoreBatch(Tensor prepared);

    /// <summary>Scores of a batch of the normal training samples themselves (kNN leaves each one out of its own neighbours).</summary>
    protected virtual Tensor TrainingScoreBatch(Tensor prepared) => ScoreBatch(prepared);

    public float[] Score(Tensor samples, ScoreColumn? column = null)
    {
        if (column is not null && column != Columns[0])
            throw new ArgumentException($"The {Name} detector has one score, '{Name}'; not '{column.Key}'.", nameof(column));
        return Input.ScoreInSlices(samples, SampleShape, ScoreBatchSize, ScoreBatch);
    }

    /// <summary>Fixes the threshold at <paramref name="contamination"/> from the scores of the prepared training data.</summary>
    internal void FixThreshold(Tensor prepared, double contamination)
    {
        long n = prepared.shape[0];
        using Tensor rows = n <= ThresholdSamples ? prepared.alias()
            : prepared.index_select(0, linspace(0, n - 1, ThresholdSamples).round().to_type(ScalarType.Int64));
        Threshold = ScoreThreshold.Of(InputPipeline.None.ScoreInSlices(rows, SampleShape, ScoreBatchSize, TrainingScoreBatch), contamination);
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        SaveContent(directory);
        Manifests.Write(Path.Combine(directory, BaselineDetectors.ManifestFileName), Describe(new BaselineManifest
        {
            FormatVersion = BaselineManifest.CurrentFormatVersion,
            Name = Name,
            SampleShape = SampleShape,
            Input = Input.Image,
            Scaling = Input.Scaling,
            Contamination = Threshold.Contamination,
            TrainingScoreQuantiles = Threshold.TrainingQuantiles,
            Versions = OmasganDetector.LibraryVersions,
        }));
    }

    /// <summary>Writes the detector's own files (weights, data) into <paramref name="directory"/>.</summary>
    protected abstract void SaveContent(string directory);

    /// <summary>The manifest with this detector's own settings added.</summary>
    private protected virtual BaselineManifest Describe(BaselineManifest manifest) => manifest;

    /// <summary>Restores a loaded detector's threshold.</summary>
    private protected T Restored<T>(BaselineManifest manifest) where T : BaselineDetector
    {
        Threshold = new ScoreThreshold(manifest.Contamination, manifest.TrainingScoreQuantiles);
        return (T)this;
    }

    public abstract void Dispose();
}

/// <summary>Fits one of the baselines by name, on normal samples only.</summary>
public sealed class BaselineTrainer(string name, BaselineOptions options) : IDetectorTrainer
{
    public string Name { get; } = BaselineDetectors.Names.Contains(name)
        ? name
        : throw new ArgumentException($"Unknown baseline '{name}'; use one of: {string.Join(", ", BaselineDetectors.Names)}.", nameof(name));

    public BaselineOptions Options { get; } = options;

    public IAnomalyDetector Fit(Tensor normal, FitSettings settings)
    {
        settings.Validate();
        Options.Validate();
        var (pipeline, unscaled) = InputPipeline.Fit(normal, standardize: Options.StandardizeRows && !InputPipeline.IsImages(normal));
        Tensor prepared = unscaled;
        if (pipeline.Scaling is not null)
            using (unscaled)
                prepared = pipeline.Scaling.Apply(unscaled);
        using (prepared)
        {
            manual_seed(settings.Seed);
            BaselineDetector detector = Name switch
            {
                BaselineDetectors.Knn => KnnDetector.Fit(pipeline, prepared, Options.Neighbours),
                BaselineDetectors.Lof => LofDetector.Fit(pipeline, prepared, Options.LofNeighbours),
                BaselineDetectors.Pca => PcaDetector.Fit(pipeline, prepared, Options.PcaRank, settings.Seed),
                BaselineDetectors.Autoencoder => AutoencoderDetector.Fit(pipeline, prepared, Options),
                _ => DeepSvddDetector.Fit(pipeline, prepared, Options),
            };
            try
            {
                detector.FixThreshold(prepared, settings.Contamination);
                return detector;
            }
            catch
            {
                detector.Dispose();
                throw;
            }
        }
    }
}

/// <summary>The baselines' names, and loading a saved one.</summary>
public static class BaselineDetectors
{
    public const string Knn = "knn";
    public const string Lof = "lof";
    public const string Pca = "pca";
    public const string Autoencoder = "autoencoder";
    public const string DeepSvdd = "deep-svdd";
    public const string ManifestFileName = "baseline.json";

    public static IReadOnlyList<string> Names { get; } = [Knn, Lof, Pca, Autoencoder, DeepSvdd];

    /// <summary>Loads a baseline saved by <see cref="BaselineDetector.Save"/>.</summary>
    /// <exception cref="ModelLoadException">the folder holds no readable baseline, or one of an older format.</exception>
    public static BaselineDetector Load(string directory)
    {
        string path = Path.Combine(directory, ManifestFileName);
        if (!File.Exists(path))
            throw new ModelLoadException($"{path}: no saved baseline here.");
        BaselineManifest manifest = Manifests.Read<BaselineManifest>(path, "baseline manifest", BaselineManifest.CurrentFormatVersion,
            oldestVersion: BaselineManifest.CurrentFormatVersion);
        var input = new InputPipeline(manifest.Input, manifest.Scaling);
        try
        {
            return manifest.Name switch
            {
                Knn => KnnDetector.Load(directory, input, manifest),
                Lof => LofDetector.Load(directory, input, manifest),
                Pca => PcaDetector.Load(directory, input, manifest),
                Autoencoder => AutoencoderDetector.Load(directory, input, manifest),
                DeepSvdd => DeepSvddDetector.Load(directory, input, manifest),
                _ => throw new ModelLoadException($"{path}: unknown detector '{manifest.Name}'."),
            };
        }
        catch (Exception e) when (e is not ModelLoadException and not OutOfMemoryException)
        {
            throw new ModelLoadException($"{directory}: the saved {manifest.Name} detector cannot be read ({e.Message}).", e);
        }
    }
}
