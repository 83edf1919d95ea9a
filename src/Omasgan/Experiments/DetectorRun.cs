using System.Globalization;
using System.Text;
using System.Text.Json;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Evaluation;
using Omasgan.Reporting;

namespace Omasgan.Experiments;

/// <summary>How one detector scored a labelled test set: the metrics of each of its score columns.</summary>
public sealed record DetectorEvaluation(IReadOnlyList<ColumnMetrics> Columns, double Seconds)
{
    /// <summary>The metrics keyed by column key, as metrics.json files hold them.</summary>
    public IReadOnlyDictionary<string, DetectionMetrics> ByKey() => Columns.ToDictionary(c => c.Column.Key, c => c.Metrics);
}

/// <summary>One score column's metrics.</summary>
public sealed record ColumnMetrics(ScoreColumn Column, DetectionMetrics Metrics);

/// <summary>
/// What every run folder of one detector holds, whatever the detector: <c>model/</c>, and for an
/// evaluation <c>roc.png</c>, <c>score_histogram.png</c>, <c>scores.csv</c> and last <c>metrics.json</c>,
/// whose presence marks the run complete. The detector's trainer adds its own records beside them.
/// </summary>
public static class DetectorRun
{
    public const string ModelFolder = "model";
    public const string MetricsFileName = "metrics.json";
    public const string ScoresFileName = "scores.csv";

    /// <summary>
    /// The leave-one-out split for class <paramref name="k"/>: a copy of <paramref name="train"/>'s images
    /// of the other classes, and which of <paramref name="test"/>'s images are of class k (the anomalies).
    /// </summary>
    /// <exception cref="ArgumentException">no training image is left without class k, or no test image is of class k.</exception>
    public static (SampleSet Normal, bool[] Anomalous) LeaveOut(SampleSet train, SampleSet test, int k)
    {
        if (train.Labels.All(label => label == k))
            throw new ArgumentException($"{train.Source}: no normal training images are left without class {k}.");
        bool[] anomalous = test.Labels.Select(label => label == k).ToArray();
        if (!anomalous.Contains(true))
            throw new ArgumentException($"{test.Source}: class {k} does not occur in these images.");
        return (train.Where(label => label != k), anomalous);
    }

    /// <summary>
    /// Scores <paramref name="test"/> with every column of <paramref name="detector"/> against
    /// <paramref name="anomalous"/> labels; writes the ROC curves, the first column's score histogram and
    /// every score as CSV into <paramref name="runDirectory"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">a score is NaN or infinite, so no AUROC can be computed.</exception>
    public static DetectorEvaluation Evaluate(IAnomalyDetector detector, SampleSet test, bool[] anomalous, string runDirectory)
    {
        if (anomalous.Length != test.Count)
            throw new ArgumentException("One label per test image is needed.", nameof(anomalous));
        if (anomalous.All(a => a) || !anomalous.Any(a => a))
            throw new ArgumentException($"{test.Source}: the test set needs both normal and anomalous images.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scores = detector.Columns.Select(column => (Column: column, Values: detector.Score(test.Samples, column).Select(s => (double)s).ToArray())).ToArray();
        double seconds = clock.Elapsed.TotalSeconds;
        foreach (var (column, values) in scores)
            if (values.Count(v => !double.IsFinite(v)) is int bad and > 0)
                throw new InvalidDataException($"{detector.Name} gave {bad} non-finite '{column.Key}' scores on {test.Source}; its AUROC cannot be computed (leave it out with --detectors).");
        var curves = scores.Select(s => (s.Column, Curve: new RocCurve(s.Values, anomalous))).ToArray();

        Plots.Roc(Path.Combine(runDirectory, "roc.png"), "ROC on the test set", curves.Select(c => (c.Column.Key, c.Curve)));
        Plots.ScoreHistogram(Path.Combine(runDirectory, "score_histogram.png"), $"{scores[0].Column.Title}: normal vs anomalous test scores",
            scores[0].Values, anomalous);
        WriteScores(Path.Combine(runDirectory, ScoresFileName), test.Labels, anomalous, scores.Select(s => (s.Column.Key, s.Values)));
        return new DetectorEvaluation(curves.Select(c => new ColumnMetrics(c.Column, DetectionMetrics.Compute(c.Curve))).ToArray(), seconds);
    }

    /// <summary>Writes <paramref name="value"/> as the run's metrics.json, which marks the run complete.</summary>
    public static void WriteMetrics<T>(string runDirectory, T value) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, MetricsFileName), JsonSerializer.Serialize(value, OmasganDetector.JsonOptions));

    /// <summary>The value in a metrics.json, or null when there is none (the run is incomplete).</summary>
    /// <exception cref="InvalidDataException">the file exists but does not read: it is left as it is, never deleted.</exception>
    public static T? ReadMetrics<T>(string runDirectory) where T : class
    {
        string path = Path.Combine(runDirectory, MetricsFileName);
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

    /// <summary>Writes every test image's scores as CSV: index, label, anomalous, then one column per named score.</summary>
    internal static void WriteScores(string path, int[] labels, bool[] anomalous, IEnumerable<(string Name, double[] Values)> scores)
    {
        var columns = scores.ToArray();
        var text = new StringBuilder("index,label,anomalous," + string.Join(",", columns.Select(c => c.Name)) + "\n");
        for (int i = 0; i < labels.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{labels[i]},{(anomalous[i] ? 1 : 0)}");
            foreach (var (_, column) in columns)
                text.Append(',').Append(column[i].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }
}
