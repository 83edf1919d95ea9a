using System.Globalization;
using System.Text;
using System.Text.Json;
using Omasgan.Checkpoints;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Evaluation;
using Omasgan.Networks;
using Omasgan.Reporting;
using Omasgan.Stages;
using static TorchSharp.torch;

namespace Omasgan.Experiments;

/// <summary>Fits a detector with progress bars (the CLI) or silently (tests, the library).</summary>
public interface IFitObserver
{
    /// <summary>Runs <paramref name="fit"/>, giving it a progress sink for <paramref name="options"/>' stages.</summary>
    T Fit<T>(string title, OmasganOptions options, Func<IProgress<StageProgress>?, T> fit);

    /// <summary>A line for the user.</summary>
    void Info(string line);

    /// <summary>Reports nothing.</summary>
    public static IFitObserver Silent { get; } = new SilentObserver();

    private sealed class SilentObserver : IFitObserver
    {
        public T Fit<T>(string title, OmasganOptions options, Func<IProgress<StageProgress>?, T> fit) => fit(null);
        public void Info(string line) { }
    }
}

/// <summary>How one detector scored a labelled test set.</summary>
public sealed record ImageEvaluation(IReadOnlyDictionary<string, DetectionMetrics> Detectors, double Seconds);

/// <summary>
/// Trains a detector on normal images and evaluates it on labelled test images, writing into a run
/// folder: <c>model/</c>, <c>losses.csv</c> (and <c>tensorboard/</c>), grids of real, Stage 1,
/// boundary and Stage 3 samples, and for an evaluation <c>roc.png</c>, <c>score_histogram.png</c>
/// and <c>scores.csv</c>. The caller writes <c>metrics.json</c> last: its presence marks a complete run.
/// </summary>
public static class ImageRun
{
    public const string ModelFolder = "model";
    public const string CheckpointFolder = "checkpoints";
    public const string MetricsFileName = "metrics.json";
    public const string ScoresFileName = "scores.csv";
    /// <summary>Images per sample grid.</summary>
    public const int GridImages = 64;

    /// <summary>The grid pictures each run writes (file name, generator; null for real images).</summary>
    public static IReadOnlyList<(string File, SampleSource? Source)> Grids { get; } =
    [
        ("real_samples.png", null),
        ("stage1_samples.png", SampleSource.Stage1Generator),
        ("boundary_samples.png", SampleSource.Boundary),
        ("stage3_samples.png", SampleSource.Stage3Generator),
    ];

    /// <summary>Names of the score sources in files: scorer, stage1_discriminator, stage3_discriminator.</summary>
    public static string SourceName(ScoreSource source) => ToyExperiment.SourceName(source);

    /// <summary>
    /// The leave-one-out split for class <paramref name="k"/>: a copy of <paramref name="train"/>'s images
    /// of the other classes, and which of <paramref name="test"/>'s images are of class k (the anomalies).
    /// </summary>
    /// <exception cref="ArgumentException">no training image is left without class k, or no test image is of class k.</exception>
    public static (ImageSet Normal, bool[] Anomalous) LeaveOut(ImageSet train, ImageSet test, int k)
    {
        if (train.Labels.All(label => label == k))
            throw new ArgumentException($"{train.Source}: no normal training images are left without class {k}.");
        bool[] anomalous = test.Labels.Select(label => label == k).ToArray();
        if (!anomalous.Contains(true))
            throw new ArgumentException($"{test.Source}: class {k} does not occur in these images.");
        return (train.Where(label => label != k), anomalous);
    }

    /// <summary>
    /// Fits a detector on <paramref name="normal"/> (uint8 images, normal only) and writes the model,
    /// the loss log and the sample grids. Returns the detector and each stage's seconds.
    /// </summary>
    public static (OmasganDetector Detector, IReadOnlyDictionary<string, double> StageSeconds) Train(ImageSet normal,
        OmasganOptions options, string runDirectory, bool tensorBoard, IFitObserver observer, string title,
        CheckpointOptions? checkpoints = null)
    {
        if (normal.Count < 2)
            throw new ArgumentException($"{normal.Source}: the normal training set has {normal.Count} images; at least 2 are needed.");
        var input = ImageInput.Of(normal, DcganArchitecture.ImageSize);
        Directory.CreateDirectory(runDirectory);
        using Tensor data = input.Prepare(normal.Images, normal.Source, anySize: true);
        IReadOnlyDictionary<OmasganStage, int> steps = options.StageSteps;
        var (detector, seconds) = observer.Fit(title, options, progress =>
        {
            CheckpointManifest? resumed = checkpoints is { Resume: true } ? CheckpointStore.ReadManifest(checkpoints.Directory) : null;
            using var log = new TrainingLog(runDirectory, steps, tensorBoard, progress,
                resumed is null ? null : (resumed.Stage, resumed.Step));
            var clock = new StageClock(log);
            OmasganDetector fitted = OmasganDetector.Fit(data, options, clock, checkpoints);
            clock.Finish();
            return (fitted, clock.Seconds);
        });
        try
        {
            detector.Input = input;
            detector.Save(Path.Combine(runDirectory, ModelFolder));
            WriteGrids(runDirectory, detector, normal);
            return (detector, seconds);
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Scores <paramref name="test"/> with every score source against <paramref name="anomalous"/>
    /// labels; writes the ROC curves, the scorer's score histogram and every score as CSV.
    /// </summary>
    public static ImageEvaluation Evaluate(OmasganDetector detector, ImageSet test, bool[] anomalous, string runDirectory)
    {
        if (anomalous.Length != test.Count)
            throw new ArgumentException("One label per test image is needed.", nameof(anomalous));
        if (anomalous.All(a => a) || !anomalous.Any(a => a))
            throw new ArgumentException($"{test.Source}: the test set needs both normal and anomalous images.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scores = Enum.GetValues<ScoreSource>().ToDictionary(source => source,
            source => detector.ScoreImages(test.Images, test.Source, source).Select(s => (double)s).ToArray());
        double seconds = clock.Elapsed.TotalSeconds;
        var curves = scores.ToDictionary(s => SourceName(s.Key), s => new RocCurve(s.Value, anomalous));

        Plots.Roc(Path.Combine(runDirectory, "roc.png"), "ROC on the test set", curves.Select(c => (c.Key, c.Value)));
        double[] scorer = scores[ScoreSource.Scorer];
        Plots.ScoreHistogram(Path.Combine(runDirectory, "score_histogram.png"), "Scorer: normal vs anomalous test scores", scorer, anomalous);
        WriteScores(Path.Combine(runDirectory, ScoresFileName), test.Labels, anomalous, scores.Select(s => (SourceName(s.Key), s.Value)));
        return new ImageEvaluation(curves.ToDictionary(c => c.Key, c => DetectionMetrics.Compute(c.Value)), seconds);
    }

    /// <summary>Writes <paramref name="value"/> as the run's metrics.json, which marks the run complete.</summary>
    public static void WriteMetrics<T>(string runDirectory, T value) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, MetricsFileName), JsonSerializer.Serialize(value, OmasganDetector.JsonOptions));

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

    private static void WriteGrids(string runDirectory, OmasganDetector detector, ImageSet normal)
    {
        using var scope = NewDisposeScope();
        // The first images of the training set, prepared as the networks see them.
        Tensor real = detector.Input!.Prepare(normal.Images.narrow(0, 0, Math.Min(GridImages, normal.Count)), normal.Source, anySize: true);
        foreach (var (file, source) in Grids)
        {
            Tensor samples = source is SampleSource s ? detector.Sample(s, GridImages) : real;
            ImageGrid.Save(Path.Combine(runDirectory, file), ImageInput.ToBytes(samples));
        }
    }
}
