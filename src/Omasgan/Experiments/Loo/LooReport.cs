using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Omasgan.Detection;
using Omasgan.Evaluation;

namespace Omasgan.Experiments.Loo;

/// <summary>A leave-one-out run's summary files: loo.json, loo.csv, auroc_by_class.png and report.md.</summary>
public static class LooReport
{
    public const string SummaryFileName = "loo.json";
    public const string TableFileName = "loo.csv";
    public const string ReportFileName = "report.md";
    public const string AurocPlotFileName = "auroc_by_class.png";
    /// <summary>The run folder's lock: held while the configuration is checked and while the summary is rebuilt.</summary>
    public const string LockFileName = "loo.lock";

    /// <summary>
    /// Rebuilds the summary files from every complete detector folder of the run in
    /// <paramref name="runDirectory"/>, under the run's lock, whichever processes ran the folds.
    /// </summary>
    /// <param name="command">the command line for the report.</param>
    /// <exception cref="ArgumentException">no leave-one-out run there, or no complete fold yet.</exception>
    public static LooSummary Rebuild(string runDirectory, string command)
    {
        LooOptions config = LooRunner.ReadConfig(runDirectory);
        using FileLock held = FileLock.Acquire(Path.Combine(runDirectory, LockFileName), TimeSpan.FromMinutes(5));
        DetectorFold[] results = Directory.GetDirectories(runDirectory, "class-*-seed-*")
            .SelectMany(Directory.GetDirectories)
            .Select(DetectorRun.ReadMetrics<DetectorFold>)
            .OfType<DetectorFold>()
            .ToArray();
        if (results.Length == 0)
            throw new ArgumentException($"{runDirectory}: no fold is complete yet; nothing to report.");
        // Detectors in the catalog's order (others after them, by name), each with its own columns in order.
        string[] detectors = results.Select(r => r.Detector).Distinct()
            .OrderBy(d => DetectorCatalog.Names.Contains(d) ? DetectorCatalog.Names.ToList().IndexOf(d) : int.MaxValue).ThenBy(d => d, StringComparer.Ordinal)
            .ToArray();
        ScoreColumn[] columns = detectors
            .SelectMany(d => results.First(r => r.Detector == d).Columns.Select(c => c.Column))
            .Distinct().ToArray();
        LooFold[] folds = results.GroupBy(r => (r.Seed, r.Class)).OrderBy(g => g.Key.Seed).ThenBy(g => g.Key.Class).Select(g =>
        {
            DetectorFold first = g.First();
            return new LooFold
            {
                Class = first.Class,
                ClassName = first.ClassName,
                Seed = first.Seed,
                Detectors = g.SelectMany(r => r.Columns).ToDictionary(c => c.Column.Key, c => c.Metrics),
                NormalTrainingImages = first.NormalTrainingImages,
                TestImages = first.TestImages,
                AnomalousTestImages = first.AnomalousTestImages,
                DetectorSeconds = g.ToDictionary(r => r.Detector, r => r.FitSeconds + r.ScoreSeconds),
            };
        }).ToArray();
        LooOptions options = config with
        {
            Classes = folds.Select(f => f.Class).Distinct().Order().ToArray(),
            Seeds = folds.Select(f => f.Seed).Distinct().Order().ToArray(),
            Detectors = detectors,
            Command = command,
        };
        LooSummary summary = Summarise(options, columns, folds, FoldVersions(results));
        Write(runDirectory, summary);
        return summary;
    }

    public static LooSummary Summarise(LooOptions options, IReadOnlyList<ScoreColumn> columns, IReadOnlyList<LooFold> folds,
        IReadOnlyDictionary<string, string> versions) => new()
    {
        Options = options,
        Columns = columns,
        Folds = folds,
        Auroc = columns.ToDictionary(c => c.Key, c => MeanStd.Of(folds.Where(f => f.Detectors.ContainsKey(c.Key)).Select(f => f.Detectors[c.Key].Auroc).ToArray())),
        Auprc = columns.ToDictionary(c => c.Key, c => MeanStd.Of(folds.Where(f => f.Detectors.ContainsKey(c.Key)).Select(f => f.Detectors[c.Key].Auprc).ToArray())),
        DetectorSeconds = folds.SelectMany(f => f.DetectorSeconds.Keys).Distinct()
            .ToDictionary(d => d, d => MeanStd.Of(folds.Where(f => f.DetectorSeconds.ContainsKey(d)).Select(f => f.DetectorSeconds[d]).ToArray())),
        Versions = versions,
    };

    /// <summary>
    /// What the folds ran with, not what the process writing the report has: each value the folds
    /// recorded, distinct values joined by " / " (say, threads "1 / 2" when processes differed);
    /// "not recorded" for folds written before versions were kept with them.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> FoldVersions(IReadOnlyList<DetectorFold> results)
    {
        var recorded = results.Select(r => r.Versions).OfType<IReadOnlyDictionary<string, string>>().ToArray();
        var merged = recorded.SelectMany(v => v.Keys).Distinct()
            .ToDictionary(key => key, key => string.Join(" / ", recorded.Select(v => v.GetValueOrDefault(key, "?")).Distinct()));
        if (recorded.Length < results.Count)
            merged["versions"] = recorded.Length == 0 ? "not recorded with the folds" : $"not recorded with {results.Count - recorded.Length} of {results.Count} detector folds";
        return merged;
    }

    public static void Write(string runDirectory, LooSummary summary)
    {
        AtomicFile.WriteAllText(Path.Combine(runDirectory, SummaryFileName), JsonSerializer.Serialize(summary, OmasganDetector.JsonOptions));
        IReadOnlyList<ScoreColumn> columns = summary.Columns;
        string[] timed = summary.DetectorSeconds.Keys.ToArray();
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("class,class_name,seed," + string.Join(",", columns.SelectMany(c => new[] { c.Key + "_auroc", c.Key + "_auprc" }))
            + string.Concat(timed.Select(d => $",{d}_seconds")) + "\n");
        foreach (LooFold f in summary.Folds)
            csv.AppendLine(string.Create(inv,
                $"{f.Class},\"{f.ClassName}\",{f.Seed},{string.Join(",", columns.SelectMany(c => new[] { Value(f, c, m => m.Auroc), Value(f, c, m => m.Auprc) }).Select(v => double.IsNaN(v) ? "" : v.ToString("R", inv)))}{string.Concat(timed.Select(d => "," + (f.DetectorSeconds.TryGetValue(d, out double t) ? t.ToString("F1", inv) : "")))}"));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, TableFileName), csv.ToString());
        var rows = summary.Folds.Select(f => $"{f.Class} {f.ClassName}" + (summary.Options.Seeds.Length > 1 ? $" s{f.Seed}" : "")).ToArray();
        Reporting.Plots.CategoryLines(Path.Combine(runDirectory, AurocPlotFileName), $"Leave-one-out AUROC per class: {summary.Options.Dataset}",
            rows, "AUROC", columns.Select(c => (c.Title, summary.Folds.Select(f => Value(f, c, m => m.Auroc)).ToArray())));
        AtomicFile.WriteAllText(Path.Combine(runDirectory, ReportFileName), Report(summary));
    }

    internal static string Report(LooSummary summary)
    {
        LooOptions o = summary.Options;
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        IReadOnlyList<ScoreColumn> columns = summary.Columns;
        string tested = (o.Table, o.Validation) switch
        {
            (null, true) => $"the held-out part of the training split (the last {LooProtocol.ValidationFraction:P1} of each class; the test split is not read)",
            (null, false) => "the whole test split",
            (_, true) => $"the held-out part of the training rows (the last {LooProtocol.ValidationFraction:P1} of each class's training part) and the left-out class's training rows; the test rows are not read",
            (_, false) => "the test rows of the other classes and every row of the left-out class",
        };
        md.AppendLine(inv, $"# Leave-one-out{(o.Validation ? " validation" : "")}: {o.Dataset}, preset {o.Preset}");
        md.AppendLine();
        if (summary.Folds.Any(f => columns.Any(c => !f.Detectors.ContainsKey(c.Key))))
            md.AppendLine("A dash marks a detector not complete on that fold (yet); means are over the folds each detector completed.").AppendLine();
        if (o.Features == ImageFeatures.ResNet18)
            md.AppendLine(inv, $"Every detector sees each image as the 512 numbers of the ImageNet ResNet-18 that ML.NET ships (images resized to {o.EmbeddingInputSize}×{o.EmbeddingInputSize}, docs/embeddings.md), standardised, not its pixels.").AppendLine();
        if (o.Table is { } t)
            md.AppendLine(inv, $"Table `{t.Path}` (SHA-256 {t.Sha256[..12]}…), label column `{t.LabelColumn}`, {t.Features.Length} feature columns. Each class's rows are split by the fold's seed: {t.TrainFraction:P0} training rows, the rest test rows. Each row of this report trains every detector on the training rows without that class (normal data only) and tests on {tested}, with that class anomalous. {summary.Folds.Count} folds; seeds {string.Join(", ", o.Seeds)}. The best value of each row is in bold.");
        else
            md.AppendLine(inv, $"Each row trains every detector on the training split{(o.Validation ? "'s kept part" : "")} without that class (normal data only) and tests on {tested} with that class anomalous. {summary.Folds.Count} folds; seeds {string.Join(", ", o.Seeds)}. The best value of each row is in bold.");
        foreach (var (metric, table) in new[] { ("AUROC", summary.Auroc), ("AUPRC", summary.Auprc) })
        {
            md.AppendLine();
            md.AppendLine(inv, $"## {metric}");
            md.AppendLine();
            md.AppendLine("| class | seed | " + string.Join(" | ", columns.Select(c => c.Title)) + " |");
            md.AppendLine("| --- | --- |" + string.Concat(columns.Select(_ => " --- |")));
            foreach (LooFold f in summary.Folds)
            {
                double[] values = columns.Select(c => Value(f, c, m => metric == "AUROC" ? m.Auroc : m.Auprc)).ToArray();
                double max = values.Where(v => !double.IsNaN(v)).Max();
                md.AppendLine(inv, $"| {f.Class} {f.ClassName} | {f.Seed} | {string.Join(" | ", values.Select(v => double.IsNaN(v) ? "–" : Bold(v.ToString("F4", inv), v == max)))} |");
            }
            double best = columns.Max(c => table[c.Key].Mean);
            md.AppendLine(inv, $"| **mean ± std** | | {string.Join(" | ", columns.Select(c => Bold(table[c.Key].ToString(), table[c.Key].Mean == best)))} |");
            if (metric == "AUROC")
            {
                md.AppendLine();
                md.AppendLine(inv, $"![AUROC per class]({AurocPlotFileName})");
            }
        }
        md.AppendLine();
        ScoreColumn[] ranked = columns.OrderByDescending(c => summary.Auroc[c.Key].Mean).ToArray();
        md.AppendLine(inv, $"Ranking by mean AUROC: {string.Join(", ", ranked.Select((c, i) => $"{i + 1}. {c.Title} {summary.Auroc[c.Key].Mean:F4}"))}.");
        if (columns.Contains(ScoreColumn.Scorer) && columns.Contains(ScoreColumn.Stage1Discriminator))
        {
            string scorer = ScoreColumn.Scorer.Key, stage1 = ScoreColumn.Stage1Discriminator.Key;
            int better = summary.Folds.Count(f => Value(f, ScoreColumn.Scorer, m => m.Auroc) > Value(f, ScoreColumn.Stage1Discriminator, m => m.Auroc));
            md.AppendLine();
            md.AppendLine(inv, $"Boundary samples: the scorer's mean AUROC is {summary.Auroc[scorer].Mean:F4} against {summary.Auroc[stage1].Mean:F4} for the Stage 1 discriminator alone (the ablation without boundary samples); the scorer is ahead on {better} of {summary.Folds.Count} folds.");
        }
        md.AppendLine();
        md.AppendLine("## Data behind each number");
        md.AppendLine();
        LooFold first = summary.Folds[0];
        string samples = o.Table is null ? "images" : "rows";
        md.AppendLine(inv, $"Every AUROC and AUPRC is computed on {tested} ({first.TestImages} {samples}, of which the left-out class's {first.AnomalousTestImages} are the positives), by the same metric code for every detector. Every detector is fitted on the {(o.Table is null ? "training split's images" : "training rows")} of the other classes only{(o.Validation ? ", less the held-out part" : "")} ({first.NormalTrainingImages} for the first row): the labels are used only to leave the class out{(o.Validation ? " and to hold out the same share of each class" : "")}, and no detector sees the {samples} tested or any label while fitting. No detector uses early stopping; each trains for a fixed number of steps. {(o.Validation ? "This is a validation run, for choosing settings." : "Choose settings on a validation run (`omasgan loo --validation`, which never reads the test " + (o.Table is null ? "split" : "rows") + "), not on these numbers.")}");
        if (o.Detectors.Contains(OmasganDetector.DetectorName))
        {
            md.AppendLine();
            md.AppendLine(SettingsSentence(o));
        }
        md.AppendLine();
        md.AppendLine("The equal-error-rate metrics in each detector's metrics.json (threshold, F1, precision, recall, FP, FN, FPR, FNR, accuracy) are taken at a threshold chosen with the test labels: they describe how the scores separate, not what a detector with a threshold fixed before testing would reach (for that, the threshold saved with each model, which `omasgan score` applies).");
        md.AppendLine();
        md.AppendLine(inv, $"Seconds per fold (fit and score): {string.Join(", ", summary.DetectorSeconds.Select(d => $"{d.Key} {d.Value.Mean:F0} ± {d.Value.Std:F0}"))}. Versions: {string.Join(", ", summary.Versions.Select(v => $"{v.Key} {v.Value}"))}.");
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

    /// <summary>What OMASGAN's settings were: its preset as it is, or the preset and every value changed from it.</summary>
    internal static string SettingsSentence(LooOptions o)
    {
        OmasganOptions preset = (o.VectorFeatures is int features ? VectorPreset.For(features) : ImagePresets.Get(o.Preset)) with { Seed = o.Detector.Seed };
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

    /// <summary>A metric of a column on a fold, or NaN where that detector is not complete on it.</summary>
    private static double Value(LooFold fold, ScoreColumn column, Func<DetectionMetrics, double> metric) =>
        fold.Detectors.TryGetValue(column.Key, out DetectionMetrics? m) ? metric(m) : double.NaN;
}
