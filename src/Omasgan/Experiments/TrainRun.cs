using System.Text.Json;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Evaluation;
using Omasgan.Networks;

namespace Omasgan.Experiments;

/// <summary>Where a training run's images come from and how it is trained; saved as the run's config.json.</summary>
public sealed record TrainConfig
{
    /// <summary>A built-in dataset's name, or null for <see cref="Images"/>.</summary>
    public string? Dataset { get; init; }
    public string? DataDirectory { get; init; }
    /// <summary>With a dataset: the class left out of training and anomalous in the test split (null: train on every class, no evaluation).</summary>
    public int? AbnormalClass { get; init; }
    /// <summary>A folder of normal training images, or null for <see cref="Dataset"/>.</summary>
    public string? Images { get; init; }
    /// <summary>With <see cref="Images"/>: a test folder holding normal/ and anomalous/ (null: no evaluation).</summary>
    public string? TestImages { get; init; }
    /// <summary>A CSV table of numeric features, or null for images.</summary>
    public string? Table { get; init; }
    /// <summary>With <see cref="Table"/>: a column of labels, not a feature (null: every row is normal, no evaluation).</summary>
    public string? LabelColumn { get; init; }
    /// <summary>With <see cref="LabelColumn"/>: the label of the anomalous rows (one-vs-rest evaluation).</summary>
    public string? AnomalyLabel { get; init; }
    /// <summary>With <see cref="AnomalyLabel"/>: the share of the normal rows trained on, drawn with the seed; the rest and every anomalous row are tested.</summary>
    public double TrainFraction { get; init; } = Loo.TableSplit.DefaultTrainFraction;
    /// <summary>With <see cref="Table"/>: the feature columns, in order (constant columns left out).</summary>
    public string[]? Features { get; init; }
    /// <summary>For images: what the detector sees, <see cref="ImageFeatures.Pixels"/> or <see cref="ImageFeatures.ResNet18"/> embeddings.</summary>
    public string ImageFeatures { get; init; } = Experiments.ImageFeatures.Pixels;
    /// <summary>With ResNet-18 embeddings: the side images are resized to before embedding.</summary>
    public int EmbeddingInputSize { get; init; } = Omasgan.Features.ResNet18Embedder.DefaultInputSize;
    public string Preset { get; init; } = ImagePresets.Default;
    public required OmasganOptions Detector { get; init; }
    public bool TensorBoard { get; init; }

    /// <summary>Throws when the data source is not exactly one of a dataset or an image folder.</summary>
    public void Validate()
    {
        if (new[] { Dataset, Images, Table }.Count(x => x is not null) != 1)
            throw new ArgumentException("Give one of --dataset NAME, --images FOLDER or --table FILE.");
        if (Table is null && (LabelColumn ?? AnomalyLabel) is not null)
            throw new ArgumentException("--label-column and --anomaly-label go with --table.");
        if ((LabelColumn is null) != (AnomalyLabel is null))
            throw new ArgumentException("--label-column and --anomaly-label go together: the label column, and the label of the anomalous rows (without them every row is normal).");
        OptionChecks.InRange(TrainFraction, 0.01, 0.99, nameof(TrainFraction));
        if (Experiments.ImageFeatures.Parse(ImageFeatures) != Experiments.ImageFeatures.Pixels && Table is not null)
            throw new ArgumentException("--features goes with images, not --table.");
        if (Dataset is null && AbnormalClass is not null)
            throw new ArgumentException("--abnormal-class goes with --dataset.");
        if (Images is null && TestImages is not null)
            throw new ArgumentException("--test-images goes with --images.");
        Detector.Validate();
    }
}

/// <summary>A training run's result; written as its metrics.json (empty <see cref="Detectors"/> without a test set).</summary>
public sealed record TrainResult
{
    public required IReadOnlyDictionary<string, DetectionMetrics> Detectors { get; init; }
    public required double TrainSeconds { get; init; }
    /// <summary>Normal training samples (images or rows).</summary>
    public required long NormalTrainingImages { get; init; }
    public long TestImages { get; init; }
    public long AnomalousTestImages { get; init; }
}

/// <summary><c>omasgan train</c>'s work: read the data, fit, save, and evaluate when there is a test set.</summary>
public static class TrainRun
{
    public const string ConfigFileName = "config.json";

    /// <summary>Reads a run's config.json.</summary>
    public static TrainConfig ReadConfig(string runDirectory)
    {
        string path = Path.Combine(runDirectory, ConfigFileName);
        if (!File.Exists(path))
            throw new ArgumentException($"{path}: no run configuration here; is this a run folder of omasgan train?");
        return ConfigFile.Read<TrainConfig>(path, "a run configuration");
    }

    /// <param name="fit">how the fit runs: seed, checkpoints (in the run folder), resume, rollbacks.</param>
    public static TrainResult Run(TrainConfig config, string runDirectory, FitSettings fit, IFitObserver? observer = null)
    {
        config.Validate();
        if (File.Exists(Path.Combine(runDirectory, DetectorRun.MetricsFileName)))
            throw new ArgumentException(fit.Resume
                ? $"{runDirectory}: the run is already complete; nothing to resume."
                : $"{runDirectory}: the folder already holds a complete run; choose another --out.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Everything is read and checked before the run folder is made.
        var (normal, test, anomalous) = ReadData(config, observer ?? IFitObserver.Silent);
        using (normal)
        using (test)
        {
            Directory.CreateDirectory(runDirectory);
            AtomicFile.WriteAllText(Path.Combine(runDirectory, ConfigFileName), JsonSerializer.Serialize(config, OmasganDetector.JsonOptions));
            using IAnomalyDetector detector = new OmasganTrainer(config.Detector).Fit(normal.Samples, fit with
            {
                Seed = config.Detector.Seed,
                RunDirectory = runDirectory,
                TensorBoard = config.TensorBoard,
                Title = $"Training on {normal.Count} normal {(normal.IsImages ? "images" : "rows")} of {normal.Source}",
            });
            {
                detector.Save(Path.Combine(runDirectory, DetectorRun.ModelFolder));
                if (config.Features is { } features)
                    TableColumns.Write(Path.Combine(runDirectory, DetectorRun.ModelFolder), features);
                if (config.ImageFeatures == Experiments.ImageFeatures.ResNet18)
                    Experiments.ImageFeatures.WriteMarker(Path.Combine(runDirectory, DetectorRun.ModelFolder), config.EmbeddingInputSize);
                double trainSeconds = clock.Elapsed.TotalSeconds;
                DetectorEvaluation? evaluation = test is null ? null : DetectorRun.Evaluate(detector, test, anomalous!, runDirectory);
                var result = new TrainResult
                {
                    Detectors = evaluation?.ByKey() ?? new Dictionary<string, DetectionMetrics>(),
                    TrainSeconds = trainSeconds,
                    NormalTrainingImages = normal.Count,
                    TestImages = test?.Count ?? 0,
                    AnomalousTestImages = anomalous?.Count(a => a) ?? 0,
                };
                DetectorRun.WriteMetrics(runDirectory, result);
                return result;
            }
        }
    }

    /// <summary>
    /// The normal training samples, and the test samples with their anomaly labels when there is a test
    /// set: table rows, or images (as their ResNet-18 embeddings with <see cref="TrainConfig.ImageFeatures"/>
    /// resnet18; a dataset's splits are embedded whole through the cache that leave-one-out shares).
    /// </summary>
    private static (SampleSet Normal, SampleSet? Test, bool[]? Anomalous) ReadData(TrainConfig config, IFitObserver observer)
    {
        if (config.Table is string path)
        {
            CsvTable table = TableReader.Read(path, config.LabelColumn, config.Features);
            if (config.AnomalyLabel is not string label)
                return (new SampleSet(table.Rows(), new int[table.RowCount], path), null, null);
            int[] anomalousRows = table.Labels!.Select(l => l == label.Trim() ? 1 : 0).ToArray();
            if (!anomalousRows.Contains(1))
                throw new DataFormatException(path, $"no row has '{label}' in the label column '{config.LabelColumn}'.");
            if (!anomalousRows.Contains(0))
                throw new DataFormatException(path, $"every row has '{label}' in the label column '{config.LabelColumn}': there are no normal rows to train on.");
            using var rows = new SampleSet(table.Rows(), anomalousRows, path);
            var (normalRows, testRows, anomalous) = Loo.LooProtocol.TableFold(rows, 1, config.TrainFraction, config.Detector.Seed, validation: false,
                $"anomaly label '{label}'");
            return (normalRows, testRows, anomalous);
        }

        using var embedder = config.ImageFeatures == Experiments.ImageFeatures.ResNet18
            ? Omasgan.Features.ResNet18Embedder.Create(config.EmbeddingInputSize)
            : null;
        // What the detector sees of a set of images read (the images are disposed once embedded).
        SampleSet Seen(SampleSet images, string? cacheName)
        {
            if (embedder is null) return images;
            using (images)
                return Experiments.ImageFeatures.Embed(images, cacheName, embedder, null, observer);
        }

        if (config.Images is string folder)
        {
            int channels = ImageFolderReader.DetectChannels(folder);
            SampleSet normal = Seen(ImageFolderReader.Read(folder, channels, DcganArchitecture.ImageSize), null);
            if (config.TestImages is not string testFolder)
                return (normal, null, null);
            try
            {
                SampleSet test = Seen(ImageFolderReader.ReadTestFolder(testFolder, channels, DcganArchitecture.ImageSize), null);
                return (normal, test, test.Labels.Select(l => l == 1).ToArray());
            }
            catch
            {
                normal.Dispose();
                throw;
            }
        }

        string name = config.Dataset!;
        int classes = DatasetCatalog.ClassCount(name);
        if (config.AbnormalClass is int abnormal && (abnormal < 0 || abnormal >= classes))
            throw new ArgumentException($"--abnormal-class {abnormal}: {name} has classes 0–{classes - 1}.");
        using SampleSet train = Seen(DatasetCatalog.Load(name, DataSplit.Train, config.DataDirectory), Experiments.ImageFeatures.CacheName(name, DataSplit.Train));
        if (config.AbnormalClass is not int k)
            return (train.Where(_ => true), null, null);
        SampleSet testSet = Seen(DatasetCatalog.Load(name, DataSplit.Test, config.DataDirectory), Experiments.ImageFeatures.CacheName(name, DataSplit.Test));
        try
        {
            var (normalSet, anomalous) = DetectorRun.LeaveOut(train, testSet, k);
            return (normalSet, testSet, anomalous);
        }
        catch
        {
            testSet.Dispose();
            throw;
        }
    }
}

/// <summary>
/// The feature columns of a model trained on a table, saved beside it as <c>columns.json</c>, so that
/// scoring a CSV file takes those columns by name (others, such as ids or labels, are ignored).
/// </summary>
public static class TableColumns
{
    public const string FileName = "columns.json";

    public static void Write(string modelDirectory, string[] features) =>
        AtomicFile.WriteAllText(Path.Combine(modelDirectory, FileName), JsonSerializer.Serialize(features, OmasganDetector.JsonOptions));

    /// <summary>The saved feature columns, or null when the model was not trained on a table.</summary>
    public static string[]? Read(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<string[]>(File.ReadAllText(path)) is { Length: > 0 } names ? names : throw new JsonException("no columns");
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{path}: the model's feature columns cannot be read ({e.Message}).", e);
        }
    }
}
