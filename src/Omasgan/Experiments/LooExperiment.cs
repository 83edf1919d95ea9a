using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Omasgan.Checkpoints;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Evaluation;

namespace Omasgan.Experiments;

/// <summary>What a leave-one-out run covers; saved as the run's loo-config.json.</summary>
public sealed record LooOptions
{
    public required string Dataset { get; init; }
    /// <summary>Where the dataset's files are (null: <see cref="DatasetCatalog.Locate"/>'s search).</summary>
    public string? DataDirectory { get; init; }
    /// <summary>The classes left out in turn (null: all).</summary>
    public int[]? Classes { get; init; }
    public int[] Seeds { get; init; } = [OmasganOptions.DefaultSeed];
    public string Preset { get; init; } = ImagePresets.Default;
    /// <summary>The detector's options (the preset's, with any changes); each fold sets its own seed.</summary>
    public required OmasganOptions Detector { get; init; }
    public bool TensorBoard { get; init; }
    public int CheckpointInterval { get; init; } = CheckpointOptions.DefaultInterval;
    /// <summary>The command line that made the run, for the report.</summary>
    public string Command { get; init; } = "";
}

/// <summary>One fold's result; written as the fold's metrics.json.</summary>
public sealed record LooFold
{
    public required int Class { get; init; }
    public required string ClassName { get; init; }
    public required int Seed { get; init; }
    /// <summary>AUROC, AUPRC and the equal-error-rate metrics of each score source, on the whole test split.</summary>
    public required IReadOnlyDictionary<string, DetectionMetrics> Detectors { get; init; }
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }
    public required double TrainSeconds { get; init; }
    public required double ScoreSeconds { get; init; }
    public required long NormalTrainingImages { get; init; }
    public required long TestImages { get; init; }
    public required long AnomalousTestImages { get; init; }
}

/// <summary>Mean and sample standard deviation over folds.</summary>
public sealed record MeanStd(double Mean, double Std, int Count)
{
    public static MeanStd Of(IReadOnlyCollection<double> values)
    {
        double mean = values.Count == 0 ? double.NaN : values.Average();
        double std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanStd(mean, std, values.Count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Mean:F4} ± {Std:F4}");
}

/// <summary>A leave-one-out run's summary: loo.json.</summary>
public sealed record LooSummary
{
    public required LooOptions Options { get; init; }
    public required IReadOnlyList<LooFold> Folds { get; init; }
    /// <summary>Per score source: AUROC and AUPRC over all folds.</summary>
    public required IReadOnlyDictionary<string, MeanStd> Auroc { get; init; }
    public required IReadOnlyDictionary<string, MeanStd> Auprc { get; init; }
    public required MeanStd FoldSeconds { get; init; }
    public required IReadOnlyDictionary<string, string> Versions { get; init; }
}

/// <summary>
/// The leave-one-out protocol: for each class k and seed, train on the training split's other
/// classes, test on the whole test split with class k anomalous. One run folder per fold
/// (class-K-seed-S, complete once its metrics.json exists: reruns skip it), and at the top
/// loo.json, loo.csv and report.md.
/// </summary>
public static class LooExperiment
{
    public const string ConfigFileName = "loo-config.json";
    public const string SummaryFileName = "loo.json";
    public const string TableFileName = "loo.csv";
    public const string ReportFileName = "report.md";

    public static string FoldFolder(int k, int seed) => $"class-{k}-seed-{seed}";

    /// <param name="resume">continue incomplete folds from their last checkpoint (otherwise they start over).</param>
    public static LooSummary Run(LooOptions options, string runDirectory, IFitObserver observer, bool resume = false)
    {
        options.Detector.Validate();
        int classCount = DatasetCatalog.ClassCount(options.Dataset);
        int[] classes = options.Classes ?? Enumerable.Range(0, classCount).ToArray();
        if (classes.Length == 0 || options.Seeds.Length == 0)
            throw new ArgumentException("Give at least one class and one seed.");
        if (classes.FirstOrDefault(k => k < 0 || k >= classCount, -1) is var bad and >= 0)
            throw new ArgumentException($"Class {bad} is not in {options.Dataset}, whose classes are 0–{classCount - 1}.");
        IReadOnlyList<string> names = DatasetCatalog.ClassNames(options.Dataset);

        using ImageSet train = DatasetCatalog.Load(options.Dataset, DataSplit.Train, options.DataDirectory);
        using ImageSet test = DatasetCatalog.Load(options.Dataset, DataSplit.Test, options.DataDirectory);
        CheckConfig(options, runDirectory);

        var folds = new List<LooFold>();
        int total = classes.Length * options.Seeds.Length, index = 0;
        foreach (int seed in options.Seeds)
        foreach (int k in classes)
        {
            index++;
            string folder = Path.Combine(runDirectory, FoldFolder(k, seed));
            if (ReadFold(folder) is { } done)
            {
                observer.Info($"Fold {index}/{total}: class {k} ({names[k]}), seed {seed}: already complete, AUROC {done.Detectors["scorer"].Auroc:F4}.");
                folds.Add(done);
                continue;
            }
            bool resuming = resume && File.Exists(Path.Combine(folder, CheckpointFolder, CheckpointStore.ManifestFileName));
            if (!resuming && Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
            LooFold fold = RunFold(options, train, test, k, names[k], seed, folder, observer, $"Fold {index}/{total}: class {k} ({names[k]}), seed {seed}", resuming);
            observer.Info($"Fold {index}/{total}: scorer AUROC {fold.Detectors["scorer"].Auroc:F4}, Stage 1 D {fold.Detectors["stage1_discriminator"].Auroc:F4}, Stage 3 D′ {fold.Detectors["stage3_discriminator"].Auroc:F4} ({fold.TrainSeconds + fold.ScoreSeconds:F0} s).");
            folds.Add(fold);
        }

        LooSummary summary = Summarise(options, folds);
        WriteSummary(runDirectory, summary);
        return summary;
    }

    private const string CheckpointFolder = ImageRun.CheckpointFolder;

    private static LooFold RunFold(LooOptions options, ImageSet train, ImageSet test, int k, string className, int seed,
        string folder, IFitObserver observer, string title, bool resuming)
    {
        var clock = Stopwatch.StartNew();
        using ImageSet normal = train.Where(label => label != k);
        if (normal.Count < 2)
            throw new ArgumentException($"{train.Source}: no normal training images are left without class {k}.");
        if (!test.Labels.Contains(k))
            throw new ArgumentException($"{test.Source}: class {k} does not occur in the test split.");
        var checkpoints = new CheckpointOptions
        {
            Directory = Path.Combine(folder, CheckpointFolder),
            Interval = options.CheckpointInterval,
            Resume = resuming,
        };
        var (detector, stageSeconds) = ImageRun.Train(normal, options.Detector with { Seed = seed }, folder, options.TensorBoard,
            observer, title, checkpoints);
        using (detector)
        {
            double trainSeconds = clock.Elapsed.TotalSeconds;
            bool[] anomalous = test.Labels.Select(label => label == k).ToArray();
            ImageEvaluation evaluation = ImageRun.Evaluate(detector, test, anomalous, folder);
            var fold = new LooFold
            {
                Class = k,
                ClassName = className,
                Seed = seed,
                Detectors = evaluation.Detectors,
                StageSeconds = stageSeconds,
                TrainSeconds = trainSeconds,
                ScoreSeconds = clock.Elapsed.TotalSeconds - trainSeconds,
                NormalTrainingImages = normal.Count,
                TestImages = test.Count,
                AnomalousTestImages = anomalous.Count(a => a),
            };
            ImageRun.WriteMetrics(folder, fold);
            return fold;
        }
    }

    /// <summary>The fold in <paramref name="folder"/> if it is complete (its metrics.json reads), else null.</summary>
    public static LooFold? ReadFold(string folder)
    {
        string path = Path.Combine(folder, ImageRun.MetricsFileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<LooFold>(File.ReadAllText(path), OmasganDetector.JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the run's settings, or refuses a folder that holds a run with other settings.</summary>
    private static void CheckConfig(LooOptions options, string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, ConfigFileName);
        // What decides the folds' results; classes, seeds and the command may differ between reruns.
        var defining = options with { Classes = null, Seeds = [], Command = "", TensorBoard = false, CheckpointInterval = 0 };
        string json = JsonSerializer.Serialize(defining, OmasganDetector.JsonOptions);
        if (File.Exists(path) && File.ReadAllText(path) != json)
            throw new ArgumentException($"{runDirectory}: the folder holds a leave-one-out run with other settings ({path}); choose another --out.");
        AtomicFile.WriteAllText(path, json);
    }

    internal static LooSummary Summarise(LooOptions options, IReadOnlyList<LooFold> folds)
    {
        string[] sources = folds.SelectMany(f => f.Detectors.Keys).Distinct().ToArray();
        return new LooSummary
        {
            Options = options,
            Folds = folds,
            Auroc = sources.ToDictionary(s => s, s => MeanStd.Of(folds.Select(f => f.Detectors[s].Auroc).ToArray())),
            Auprc = sources.ToDictionary(s => s, s => MeanStd.Of(folds.Select(f => f.Detectors[s].Auprc).ToArray())),
            FoldSeconds = MeanStd.Of(folds.Select(f => f.TrainSeconds + f.ScoreSeconds).ToArray()),
            Versions = OmasganDetector.LibraryVersions,
        };
    }

    private static void WriteSummary(string runDirectory, LooSummary summary)
    {
        AtomicFile.WriteAllText(Path.Combine(runDirectory, SummaryFileName), JsonSerializer.Serialize(summary, OmasganDetector.JsonOptions));
        string[] sources = summary.Auroc.Keys.ToArray();
        var csv = new StringBuilder("class,class_name,seed," + string.Join(",", sources.SelectMany(s => new[] { s + "_auroc", s + "_auprc" })) + ",train_seconds,score_seconds\n");
        foreach (LooFold f in summary.Folds)
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Class},\"{f.ClassName}\",{f.Seed},{string.Join(",", sources.SelectMany(s => new[] { f.Detectors[s].Auroc, f.Detectors[s].Auprc }).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))},{f.TrainSeconds:F1},{f.ScoreSeconds:F1}"));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, TableFileName), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(runDirectory, ReportFileName), Report(summary));
    }

    private static readonly (string Key, string Title)[] Columns =
    [
        ("scorer", "scorer S"),
        ("stage1_discriminator", "Stage 1 −D"),
        ("stage3_discriminator", "Stage 3 −D′"),
    ];

    internal static string Report(LooSummary summary)
    {
        LooOptions o = summary.Options;
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"# Leave-one-out: {o.Dataset}, preset {o.Preset}");
        md.AppendLine();
        md.AppendLine(inv, $"Each row trains on the training split without the class, and tests on the whole test split with that class anomalous. {summary.Folds.Count} folds; seeds {string.Join(", ", o.Seeds)}.");
        foreach (var (metric, table) in new[] { ("AUROC", summary.Auroc), ("AUPRC", summary.Auprc) })
        {
            md.AppendLine();
            md.AppendLine(inv, $"## {metric}");
            md.AppendLine();
            md.AppendLine("| class | seed | " + string.Join(" | ", Columns.Select(c => c.Title)) + " | seconds |");
            md.AppendLine("| --- | --- | " + string.Join(" | ", Columns.Select(_ => "---")) + " | --- |");
            foreach (LooFold f in summary.Folds)
            {
                var values = Columns.Select(c => metric == "AUROC" ? f.Detectors[c.Key].Auroc : f.Detectors[c.Key].Auprc).ToArray();
                md.AppendLine(inv, $"| {f.Class} {f.ClassName} | {f.Seed} | {string.Join(" | ", values.Select(v => v.ToString("F4", inv)))} | {f.TrainSeconds + f.ScoreSeconds:F0} |");
            }
            md.AppendLine(inv, $"| **mean ± std** | | {string.Join(" | ", Columns.Select(c => table[c.Key].ToString()))} | {summary.FoldSeconds.Mean:F0} |");
        }
        md.AppendLine();
        MeanStd scorer = summary.Auroc["scorer"], stage1 = summary.Auroc["stage1_discriminator"];
        int better = summary.Folds.Count(f => f.Detectors["scorer"].Auroc > f.Detectors["stage1_discriminator"].Auroc);
        md.AppendLine(inv, $"Boundary samples: the scorer's mean AUROC is {scorer.Mean:F4} against {stage1.Mean:F4} for the Stage 1 discriminator alone (the ablation without boundary samples); the scorer is ahead on {better} of {summary.Folds.Count} folds.");
        md.AppendLine();
        md.AppendLine(inv, $"Time per fold: {summary.FoldSeconds.Mean:F0} ± {summary.FoldSeconds.Std:F0} s (training and scoring). Versions: {string.Join(", ", summary.Versions.Select(v => $"{v.Key} {v.Value}"))}.");
        md.AppendLine();
        md.AppendLine("## Command and configuration");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(o.Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("```json");
        md.AppendLine(JsonSerializer.Serialize(o.Detector, OmasganDetector.JsonOptions));
        md.AppendLine("```");
        return md.ToString();
    }
}
