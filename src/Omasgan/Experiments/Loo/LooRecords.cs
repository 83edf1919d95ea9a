using Omasgan.Baselines;
using Omasgan.Checkpoints;
using Omasgan.Detection;
using Omasgan.Evaluation;

namespace Omasgan.Experiments.Loo;

/// <summary>What a leave-one-out run covers; saved as the run's loo-config.json.</summary>
public sealed record LooOptions
{
    /// <summary>A built-in dataset's name, or for <see cref="Table"/> the table file's name.</summary>
    public required string Dataset { get; init; }
    /// <summary>A table's rows instead of a built-in dataset (null: images of <see cref="Dataset"/>).</summary>
    public TableSource? Table { get; init; }
    /// <summary>What detectors see of the images: <see cref="ImageFeatures.Pixels"/> or <see cref="ImageFeatures.ResNet18"/> embeddings.</summary>
    public string Features { get; init; } = ImageFeatures.Pixels;
    /// <summary>With ResNet-18 embeddings: the side images are resized to before embedding.</summary>
    public int EmbeddingInputSize { get; init; } = Omasgan.Features.ResNet18Embedder.DefaultInputSize;

    /// <summary>The number of features of the rows detectors fit on (a table's, or the embedding's); null for pixels.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? VectorFeatures => Table?.Features.Length
        ?? (Features == ImageFeatures.ResNet18 ? Omasgan.Features.ResNet18Embedder.EmbeddingSize : null);
    /// <summary>Where the dataset's files are (null: <see cref="Data.DatasetCatalog.Locate"/>'s search).</summary>
    public string? DataDirectory { get; init; }
    /// <summary>The classes left out in turn (null: all).</summary>
    public int[]? Classes { get; init; }
    public int[] Seeds { get; init; } = [OmasganOptions.DefaultSeed];
    public string Preset { get; init; } = ImagePresets.Default;
    /// <summary>
    /// Validation instead of test: hold out the last <see cref="LooProtocol.ValidationFraction"/> of each
    /// class of the training split, train on the rest and test on that held-out part. The test split is
    /// not read. For choosing settings.
    /// </summary>
    public bool Validation { get; init; }
    /// <summary>OMASGAN's options (the preset's, with any changes); each fold sets its own seed.</summary>
    public required OmasganOptions Detector { get; init; }
    /// <summary>The detectors compared, by name (<see cref="DetectorCatalog.Names"/>; default: all).</summary>
    public string[] Detectors { get; init; } = [.. DetectorCatalog.Names];
    /// <summary>Settings of the baselines.</summary>
    public BaselineOptions Baselines { get; init; } = new();
    public bool TensorBoard { get; init; }
    public int CheckpointInterval { get; init; } = CheckpointOptions.DefaultInterval;
    /// <summary>Where the networks train (null: the CPU); see <see cref="FitSettings.Device"/>.</summary>
    public string? Device { get; init; }
    /// <summary>The command line that made the run, for the report.</summary>
    public string Command { get; init; } = "";
}

/// <summary>
/// A labelled table for leave-one-out: the CSV file, its label column, the share of each class's rows
/// detectors may train on (the split is seeded by each fold's seed), the feature columns, and the file's
/// SHA-256, so a rerun into the same run folder refuses a changed file.
/// </summary>
public sealed record TableSource
{
    public required string Path { get; init; }
    public required string LabelColumn { get; init; }
    public double TrainFraction { get; init; } = TableSplit.DefaultTrainFraction;
    /// <summary>The feature columns, in order.</summary>
    public required string[] Features { get; init; }
    public required string Sha256 { get; init; }

    /// <summary>Reads the table (<paramref name="table"/>: its rows, labels and dropped constant columns) to find its features.</summary>
    public static TableSource Of(string path, string labelColumn, double trainFraction, out Data.CsvTable table)
    {
        OptionChecks.InRange(trainFraction, 0.01, 0.99, nameof(TrainFraction));
        table = Data.TableReader.Read(path, labelColumn);
        return new TableSource
        {
            Path = System.IO.Path.GetFullPath(path), LabelColumn = labelColumn, TrainFraction = trainFraction, Features = table.Features, Sha256 = Hashes.OfFile(path),
        };
    }
}

/// <summary>One detector on one fold; written as the metrics.json of the fold's folder of that detector.</summary>
public sealed record DetectorFold
{
    public required string Detector { get; init; }
    public required int Class { get; init; }
    public required string ClassName { get; init; }
    public required int Seed { get; init; }
    public required long NormalTrainingImages { get; init; }
    public required long TestImages { get; init; }
    public required long AnomalousTestImages { get; init; }
    /// <summary>AUROC, AUPRC and the equal-error-rate metrics of each of the detector's score columns.</summary>
    public required IReadOnlyList<ColumnMetrics> Columns { get; init; }
    public required double FitSeconds { get; init; }
    public required double ScoreSeconds { get; init; }
    /// <summary>The libraries, kernel paths and threads of the process that ran the fold (absent in folds written before they were recorded).</summary>
    public IReadOnlyDictionary<string, string>? Versions { get; init; }
}

/// <summary>One fold's row of the summary: every detector's result on it.</summary>
public sealed record LooFold
{
    public required int Class { get; init; }
    public required string ClassName { get; init; }
    public required int Seed { get; init; }
    /// <summary>Metrics per score column key, on the whole test split (or the validation part); a detector not complete on the fold has none.</summary>
    public required IReadOnlyDictionary<string, DetectionMetrics> Detectors { get; init; }
    public required long NormalTrainingImages { get; init; }
    public required long TestImages { get; init; }
    public required long AnomalousTestImages { get; init; }
    /// <summary>Seconds to fit and score, per detector.</summary>
    public required IReadOnlyDictionary<string, double> DetectorSeconds { get; init; }
}

/// <summary>A leave-one-out run's summary: loo.json.</summary>
public sealed record LooSummary
{
    public required LooOptions Options { get; init; }
    /// <summary>Every score column of the run, in the order of the detectors.</summary>
    public required IReadOnlyList<ScoreColumn> Columns { get; init; }
    public required IReadOnlyList<LooFold> Folds { get; init; }
    /// <summary>Per score column key: AUROC and AUPRC over the folds that have it.</summary>
    public required IReadOnlyDictionary<string, MeanStd> Auroc { get; init; }
    public required IReadOnlyDictionary<string, MeanStd> Auprc { get; init; }
    /// <summary>Seconds per fold of each detector (fit and score).</summary>
    public required IReadOnlyDictionary<string, MeanStd> DetectorSeconds { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
}
