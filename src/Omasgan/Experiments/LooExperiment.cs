using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Omasgan.Baselines;
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
    /// <summary>
    /// Validation instead of test: hold out the last <see cref="LooExperiment.ValidationFraction"/> of each
    /// class of the training split, train on the rest and test on that held-out part. The test split is
    /// not read. For choosing settings.
    /// </summary>
    public bool Validation { get; init; }
    /// <summary>The detector's options (the preset's, with any changes); each fold sets its own seed.</summary>
    public required OmasganOptions Detector { get; init; }
    /// <summary>The detectors compared: "omasgan" (its scorer and both discriminators) and the baselines (default: all).</summary>
    public string[] Detectors { get; init; } = [.. LooExperiment.AllDetectors];
    /// <summary>Settings of the baselines.</summary>
    public BaselineOptions Baselines { get; init; } = new();
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
    /// <summary>Seconds to fit and score, per detector ("omasgan" and each baseline).</summary>
    public IReadOnlyDictionary<string, double> DetectorSeconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>One baseline on one fold; written as the baseline's metrics.json in the fold's baselines/NAME/.</summary>
public sealed record BaselineFold(DetectionMetrics Metrics, double FitSeconds, double ScoreSeconds);

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
    /// <summary>OMASGAN's seconds per fold (training and scoring).</summary>
    public required MeanStd FoldSeconds { get; init; }
    /// <summary>Seconds per fold of each detector (fit and score).</summary>
    public IReadOnlyDictionary<string, MeanStd> DetectorSeconds { get; init; } = new Dictionary<string, MeanStd>();
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
    public const string AurocPlotFileName = "auroc_by_class.png";
    public const string Omasgan = "omasgan";
    public const string BaselinesFolder = "baselines";
    /// <summary>The share of each class of the training split that validation holds out (Fashion-MNIST: 1,000 of 6,000, so 10,000 images, as many as its test split).</summary>
    public const double ValidationFraction = 1.0 / 6;

    /// <summary>Every detector a run can compare: OMASGAN and the baselines.</summary>
    public static IReadOnlyList<string> AllDetectors { get; } = [Omasgan, .. BaselineDetectors.Names];

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
        if (options.Detectors.Length == 0)
            throw new ArgumentException($"Give at least one detector of: {string.Join(", ", AllDetectors)}.");
        if (options.Detectors.FirstOrDefault(d => !AllDetectors.Contains(d)) is { } unknown)
            throw new ArgumentException($"Unknown detector '{unknown}'; use some of: {string.Join(", ", AllDetectors)}.");
        options.Baselines.Validate();

        var (train, test) = Load(options);
        using (train)
        using (test)
            return RunFolds(options, runDirectory, observer, resume, train, test, classes);
    }

    /// <summary>The training images and the images tested: the two splits, or for validation the two parts of the training split.</summary>
    private static (ImageSet Train, ImageSet Test) Load(LooOptions options)
    {
        ImageSet train = DatasetCatalog.Load(options.Dataset, DataSplit.Train, options.DataDirectory);
        if (options.Validation)
            using (train)
                return train.SplitPerClass(ValidationFraction);
        try
        {
            return (train, DatasetCatalog.Load(options.Dataset, DataSplit.Test, options.DataDirectory));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static LooSummary RunFolds(LooOptions options, string runDirectory, IFitObserver observer, bool resume, ImageSet train, ImageSet test,
        int[] classes)
    {
        CheckConfig(options, runDirectory);
        IReadOnlyList<string> names = DatasetCatalog.ClassNames(options.Dataset);
        bool runOmasgan = options.Detectors.Contains(Omasgan);

        var folds = new List<LooFold>();
        int total = classes.Length * options.Seeds.Length, index = 0;
        foreach (int seed in options.Seeds)
        foreach (int k in classes)
        {
            index++;
            string folder = Path.Combine(runDirectory, FoldFolder(k, seed));
            string title = $"Fold {index}/{total}: class {k} ({names[k]}), seed {seed}";
            LooFold? fold = null;
            if (runOmasgan)
            {
                fold = ReadFold(folder);
                if (fold is not null)
                    observer.Info($"{title}: OMASGAN already complete, AUROC {fold.Detectors["scorer"].Auroc:F4}.");
                else
                {
                    bool resuming = resume && File.Exists(Path.Combine(folder, CheckpointFolder, CheckpointStore.ManifestFileName));
                    if (!resuming && Directory.Exists(folder))
                        Directory.Delete(folder, recursive: true);
                    fold = RunFold(options, train, test, k, names[k], seed, folder, observer, title, resuming);
                    observer.Info($"{title}: scorer AUROC {fold.Detectors["scorer"].Auroc:F4}, Stage 1 D {fold.Detectors["stage1_discriminator"].Auroc:F4}, Stage 3 D′ {fold.Detectors["stage3_discriminator"].Auroc:F4} ({fold.TrainSeconds + fold.ScoreSeconds:F0} s).");
                }
            }
            var baselines = new Dictionary<string, BaselineFold>();
            using var prepared = new PreparedFold(train, test, k);
            foreach (string name in options.Detectors.Where(d => d != Omasgan))
            {
                baselines[name] = ReadBaseline(folder, name) ?? RunBaseline(options, prepared, test, k, seed, folder, name, observer, title);
                observer.Info($"{title}: {name} AUROC {baselines[name].Metrics.Auroc:F4}.");
            }
            folds.Add(Merge(fold, baselines, k, names[k], seed, train, test));
        }

        LooSummary summary = Summarise(options, folds);
        WriteSummary(runDirectory, summary);
        return summary;
    }

    private const string CheckpointFolder = ImageRun.CheckpointFolder;

    /// <summary>The baseline's result in a fold folder if it is complete, else null.</summary>
    public static BaselineFold? ReadBaseline(string folder, string name) =>
        ReadIfComplete<BaselineFold>(Path.Combine(folder, BaselinesFolder, name, ImageRun.MetricsFileName));

    /// <summary>The result in a metrics.json, or null when there is none (the run is incomplete).</summary>
    /// <exception cref="InvalidDataException">the file exists but does not read: it is left as it is, never deleted.</exception>
    private static T? ReadIfComplete<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), OmasganDetector.JsonOptions)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: a finished result that this version cannot read ({e.Message}); nothing was deleted. Move its folder aside to run it again, or choose another --out.", e);
        }
    }

    /// <summary>A fold's normal training images and its test images as network input, prepared once for every baseline.</summary>
    private sealed class PreparedFold(ImageSet train, ImageSet test, int k) : IDisposable
    {
        private readonly ImageInput input = ImageInput.Of(train, Networks.DcganArchitecture.ImageSize);
        private TorchSharp.torch.Tensor? normal, testImages;

        public TorchSharp.torch.Tensor Normal
        {
            get
            {
                if (normal is null)
                {
                    using ImageSet set = train.Where(label => label != k);
                    normal = input.Prepare(set.Images, set.Source);
                }
                return normal;
            }
        }

        public TorchSharp.torch.Tensor Test => testImages ??= input.Prepare(test.Images, test.Source);

        public void Dispose()
        {
            normal?.Dispose();
            testImages?.Dispose();
        }
    }

    /// <summary>Fits a baseline on the fold's normal training images only, scores the test split, and saves model, scores and metrics.</summary>
    private static BaselineFold RunBaseline(LooOptions options, PreparedFold prepared, ImageSet test, int k, int seed, string folder,
        string name, IFitObserver observer, string title)
    {
        observer.Info($"{title}: fitting {name} …");
        string directory = Path.Combine(folder, BaselinesFolder, name);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        TorchSharp.torch.Tensor normal = prepared.Normal, testImages = prepared.Test;
        var clock = Stopwatch.StartNew();
        float[] scores;
        double fitSeconds;
        using (IBaselineDetector detector = BaselineDetectors.Fit(name, normal, options.Baselines, seed))
        {
            fitSeconds = clock.Elapsed.TotalSeconds;
            detector.Save(Path.Combine(directory, ImageRun.ModelFolder));
            clock.Restart();
            scores = detector.Score(testImages);
        }
        if (scores.Count(v => !float.IsFinite(v)) is int bad and > 0)
            throw new InvalidDataException($"{name} gave {bad} non-finite scores on {test.Source}; its AUROC cannot be computed (leave it out with --detectors).");
        bool[] anomalous = test.Labels.Select(label => label == k).ToArray();
        double[] values = scores.Select(v => (double)v).ToArray();
        var result = new BaselineFold(DetectionMetrics.Compute(values, anomalous), fitSeconds, clock.Elapsed.TotalSeconds);
        ImageRun.WriteScores(Path.Combine(directory, ImageRun.ScoresFileName), test.Labels, anomalous, [("score", values)]);
        ImageRun.WriteMetrics(directory, result);
        return result;
    }

    /// <summary>One row of the summary: OMASGAN's fold (if run) and the baselines' results.</summary>
    private static LooFold Merge(LooFold? omasgan, IReadOnlyDictionary<string, BaselineFold> baselines, int k, string className, int seed,
        ImageSet train, ImageSet test)
    {
        var detectors = new Dictionary<string, DetectionMetrics>(omasgan?.Detectors ?? new Dictionary<string, DetectionMetrics>());
        var seconds = new Dictionary<string, double>();
        if (omasgan is not null) seconds[Omasgan] = omasgan.TrainSeconds + omasgan.ScoreSeconds;
        foreach (var (name, result) in baselines)
        {
            detectors[name] = result.Metrics;
            seconds[name] = result.FitSeconds + result.ScoreSeconds;
        }
        return (omasgan ?? new LooFold
        {
            Class = k, ClassName = className, Seed = seed, Detectors = detectors, StageSeconds = new Dictionary<string, double>(),
            TrainSeconds = 0, ScoreSeconds = 0, NormalTrainingImages = train.Labels.Count(l => l != k), TestImages = test.Count,
            AnomalousTestImages = test.Labels.Count(l => l == k),
        }) with { Detectors = detectors, DetectorSeconds = seconds };
    }

    private static LooFold RunFold(LooOptions options, ImageSet train, ImageSet test, int k, string className, int seed,
        string folder, IFitObserver observer, string title, bool resuming)
    {
        var clock = Stopwatch.StartNew();
        var (normal, anomalous) = ImageRun.LeaveOut(train, test, k);
        using var _ = normal;
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
    public static LooFold? ReadFold(string folder) => ReadIfComplete<LooFold>(Path.Combine(folder, ImageRun.MetricsFileName));

    /// <summary>Writes the run's settings, or refuses a folder that holds a run with other settings.</summary>
    private static void CheckConfig(LooOptions options, string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, ConfigFileName);
        // What decides the folds' results; classes, seeds and the command may differ between reruns.
        static string Defining(LooOptions o) => JsonSerializer.Serialize(
            o with { Classes = null, Seeds = [], Detectors = [], Command = "", TensorBoard = false, CheckpointInterval = 0 }, OmasganDetector.JsonOptions);
        string json = Defining(options);
        // Read back through the current options type, so settings added since the file was written take their defaults.
        if (File.Exists(path) && Defining(ReadConfig(path)) != json)
            throw new ArgumentException($"{runDirectory}: the folder holds a leave-one-out run with other settings ({path}); choose another --out.");
        AtomicFile.WriteAllText(path, json);
    }

    private static LooOptions ReadConfig(string path) => ConfigFile.Read<LooOptions>(path, "a leave-one-out configuration");

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
            DetectorSeconds = folds.SelectMany(f => f.DetectorSeconds.Keys).Distinct()
                .ToDictionary(d => d, d => MeanStd.Of(folds.Where(f => f.DetectorSeconds.ContainsKey(d)).Select(f => f.DetectorSeconds[d]).ToArray())),
            Versions = OmasganDetector.LibraryVersions,
        };
    }

    private static void WriteSummary(string runDirectory, LooSummary summary)
    {
        AtomicFile.WriteAllText(Path.Combine(runDirectory, SummaryFileName), JsonSerializer.Serialize(summary, OmasganDetector.JsonOptions));
        string[] sources = summary.Auroc.Keys.ToArray();
        string[] timed = summary.DetectorSeconds.Keys.ToArray();
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("class,class_name,seed," + string.Join(",", sources.SelectMany(s => new[] { s + "_auroc", s + "_auprc" }))
            + string.Concat(timed.Select(d => $",{d}_seconds")) + "\n");
        foreach (LooFold f in summary.Folds)
            csv.AppendLine(string.Create(inv,
                $"{f.Class},\"{f.ClassName}\",{f.Seed},{string.Join(",", sources.SelectMany(s => new[] { f.Detectors[s].Auroc, f.Detectors[s].Auprc }).Select(v => v.ToString("R", inv)))}{string.Concat(timed.Select(d => "," + f.DetectorSeconds.GetValueOrDefault(d).ToString("F1", inv)))}"));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, TableFileName), csv.ToString());
        var rows = summary.Folds.Select(f => $"{f.Class} {f.ClassName}" + (summary.Options.Seeds.Length > 1 ? $" s{f.Seed}" : "")).ToArray();
        Reporting.Plots.CategoryLines(Path.Combine(runDirectory, AurocPlotFileName), $"Leave-one-out AUROC per class: {summary.Options.Dataset}",
            rows, "AUROC", sources.Select(s => (Title(s), summary.Folds.Select(f => f.Detectors[s].Auroc).ToArray())));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, ReportFileName), Report(summary));
    }

    /// <summary>A score source's or detector's name in reports.</summary>
    public static string Title(string source) => source switch
    {
        "scorer" => "OMASGAN scorer S",
        "stage1_discriminator" => "Stage 1 −D",
        "stage3_discriminator" => "Stage 3 −D′",
        BaselineDetectors.Knn => "kNN",
        BaselineDetectors.Pca => "PCA (ML.NET)",
        BaselineDetectors.Autoencoder => "conv. autoencoder",
        BaselineDetectors.DeepSvdd => "Deep SVDD",
        _ => source,
    };

    internal static string Report(LooSummary summary)
    {
        LooOptions o = summary.Options;
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        string[] sources = summary.Auroc.Keys.ToArray();
        string tested = o.Validation
            ? $"the held-out part of the training split (the last {ValidationFraction:P1} of each class; the test split is not read)"
            : "the whole test split";
        md.AppendLine(inv, $"# Leave-one-out{(o.Validation ? " validation" : "")}: {o.Dataset}, preset {o.Preset}");
        md.AppendLine();
        md.AppendLine(inv, $"Each row trains every detector on the training split{(o.Validation ? "'s kept part" : "")} without that class (normal data only) and tests on {tested} with that class anomalous. {summary.Folds.Count} folds; seeds {string.Join(", ", o.Seeds)}. The best value of each row is in bold.");
        foreach (var (metric, table) in new[] { ("AUROC", summary.Auroc), ("AUPRC", summary.Auprc) })
        {
            md.AppendLine();
            md.AppendLine(inv, $"## {metric}");
            md.AppendLine();
            md.AppendLine("| class | seed | " + string.Join(" | ", sources.Select(Title)) + " |");
            md.AppendLine("| --- | --- |" + string.Concat(sources.Select(_ => " --- |")));
            foreach (LooFold f in summary.Folds)
            {
                double[] values = sources.Select(s => metric == "AUROC" ? f.Detectors[s].Auroc : f.Detectors[s].Auprc).ToArray();
                md.AppendLine(inv, $"| {f.Class} {f.ClassName} | {f.Seed} | {string.Join(" | ", values.Select(v => Bold(v.ToString("F4", inv), v == values.Max())))} |");
            }
            double best = sources.Max(s => table[s].Mean);
            md.AppendLine(inv, $"| **mean ± std** | | {string.Join(" | ", sources.Select(s => Bold(table[s].ToString(), table[s].Mean == best)))} |");
            if (metric == "AUROC")
            {
                md.AppendLine();
                md.AppendLine(inv, $"![AUROC per class]({AurocPlotFileName})");
            }
        }
        md.AppendLine();
        string[] ranked = sources.OrderByDescending(s => summary.Auroc[s].Mean).ToArray();
        md.AppendLine(inv, $"Ranking by mean AUROC: {string.Join(", ", ranked.Select((s, i) => $"{i + 1}. {Title(s)} {summary.Auroc[s].Mean:F4}"))}.");
        if (summary.Auroc.ContainsKey("scorer") && summary.Auroc.ContainsKey("stage1_discriminator"))
        {
            MeanStd scorer = summary.Auroc["scorer"], stage1 = summary.Auroc["stage1_discriminator"];
            int better = summary.Folds.Count(f => f.Detectors["scorer"].Auroc > f.Detectors["stage1_discriminator"].Auroc);
            md.AppendLine();
            md.AppendLine(inv, $"Boundary samples: the scorer's mean AUROC is {scorer.Mean:F4} against {stage1.Mean:F4} for the Stage 1 discriminator alone (the ablation without boundary samples); the scorer is ahead on {better} of {summary.Folds.Count} folds.");
        }
        md.AppendLine();
        md.AppendLine("## Data behind each number");
        md.AppendLine();
        LooFold first = summary.Folds[0];
        md.AppendLine(inv, $"Every AUROC and AUPRC is computed on {tested} ({first.TestImages} images, of which the left-out class's {first.AnomalousTestImages} are the positives), by the same metric code for every detector. Every detector is fitted on the training split's images of the other classes only{(o.Validation ? ", less the held-out part" : "")} ({first.NormalTrainingImages} for the first row): the labels of the training split are used only to leave the class out{(o.Validation ? " and to hold out the same share of each class" : "")}, and no detector sees the images tested or any label while fitting. No detector uses early stopping; each trains for a fixed number of steps. {(o.Validation ? "This is a validation run, for choosing settings." : "Choose settings on a validation run (`omasgan loo --validation`, which holds out part of the training split and never reads the test split), not on these numbers.")}");
        md.AppendLine();
        md.AppendLine(SettingsSentence(o));
        md.AppendLine();
        md.AppendLine("The equal-error-rate metrics in each fold's metrics.json (threshold, F1, precision, recall, FP, FN, FPR, FNR, accuracy) are taken at a threshold chosen with the test labels: they describe how the scores separate, not what a detector with a threshold fixed before testing would reach (for that, `omasgan score --contamination`).");
        md.AppendLine();
        md.AppendLine(inv, $"Seconds per fold (fit and score): {string.Join(", ", summary.DetectorSeconds.Select(d => $"{Title(d.Key)} {d.Value.Mean:F0} ± {d.Value.Std:F0}"))}. Versions: {string.Join(", ", summary.Versions.Select(v => $"{v.Key} {v.Value}"))}.");
        md.AppendLine();
        md.AppendLine("## Command and configuration");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(o.Command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("```json");
        md.AppendLine(JsonSerializer.Serialize(o with { Command = "" }, OmasganDetector.JsonOptions));
        md.AppendLine("```");
        return md.ToString();
    }

    /// <summary>What the run's detector settings were: its preset as it is, or the preset and every value changed from it.</summary>
    internal static string SettingsSentence(LooOptions o)
    {
        OmasganOptions preset = ImagePresets.Get(o.Preset) with { Seed = o.Detector.Seed };
        var changes = new List<string>();
        Differences(JsonNode.Parse(JsonSerializer.Serialize(preset, OmasganDetector.JsonOptions)),
            JsonNode.Parse(JsonSerializer.Serialize(o.Detector, OmasganDetector.JsonOptions)), "", changes);
        return changes.Count == 0
            ? $"OMASGAN's settings: the `{o.Preset}` preset, unchanged (seeds aside)."
            : $"OMASGAN's settings: the `{o.Preset}` preset with {string.Join("; ", changes)}.";
    }

    private static void Differences(JsonNode? preset, JsonNode? run, string path, List<string> changes)
    {
        if (preset is JsonObject a && run is JsonObject b)
        {
            foreach (string key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                Differences(a[key], b[key], path.Length == 0 ? key : $"{path}.{key}", changes);
        }
        else if (!JsonNode.DeepEquals(preset, run))
            changes.Add($"`{path}` {run?.ToJsonString() ?? "null"} (preset: {preset?.ToJsonString() ?? "null"})");
    }

    private static string Bold(string text, bool bold) => bold ? $"**{text}**" : text;
}
