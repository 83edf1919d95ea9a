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
    public string Preset { get; init; } = ImagePresets.Default;
    public required OmasganOptions Detector { get; init; }
    public bool TensorBoard { get; init; }

    /// <summary>Throws when the data source is not exactly one of a dataset or an image folder.</summary>
    public void Validate()
    {
        if ((Dataset is null) == (Images is null))
            throw new ArgumentException("Give either --dataset NAME or --images FOLDER.");
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
    public static TrainResult Run(TrainConfig config, string runDirectory, FitSettings fit)
    {
        config.Validate();
        if (File.Exists(Path.Combine(runDirectory, DetectorRun.MetricsFileName)))
            throw new ArgumentException(fit.Resume
                ? $"{runDirectory}: the run is already complete; nothing to resume."
                : $"{runDirectory}: the folder already holds a complete run; choose another --out.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Everything is read and checked before the run folder is made.
        var (normal, test, anomalous) = ReadData(config);
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
                Title = $"Training on {normal.Count} normal images of {normal.Source}",
            });
            {
                detector.Save(Path.Combine(runDirectory, DetectorRun.ModelFolder));
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

    /// <summary>The normal training images, and the test images with their anomaly labels when there is a test set.</summary>
    private static (SampleSet Normal, SampleSet? Test, bool[]? Anomalous) ReadData(TrainConfig config)
    {
        if (config.Images is string folder)
        {
            int channels = ImageFolderReader.DetectChannels(folder);
            SampleSet normal = ImageFolderReader.Read(folder, channels, DcganArchitecture.ImageSize);
            if (config.TestImages is not string testFolder)
                return (normal, null, null);
            SampleSet test = ImageFolderReader.ReadTestFolder(testFolder, channels, DcganArchitecture.ImageSize);
            return (normal, test, test.Labels.Select(l => l == 1).ToArray());
        }

        string name = config.Dataset!;
        using SampleSet train = DatasetCatalog.Load(name, DataSplit.Train, config.DataDirectory);
        if (config.AbnormalClass is not int k)
            return (train.Where(_ => true), null, null);
        int classes = DatasetCatalog.ClassCount(name);
        if (k < 0 || k >= classes)
            throw new ArgumentException($"--abnormal-class {k}: {name} has classes 0–{classes - 1}.");
        SampleSet testSet = DatasetCatalog.Load(name, DataSplit.Test, config.DataDirectory);
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
