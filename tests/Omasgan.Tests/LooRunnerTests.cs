using System.Text.Json;
using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Experiments.Loo;
using Omasgan.Tests.Data;
using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>Leave-one-out runs any detector behind the detector surface, knowing nothing of what it is.</summary>
public sealed class LooRunnerTests : IDisposable
{
    private readonly TempFolder temp = new();

    /// <summary>A detector of a few lines: an image's score is its mean brightness.</summary>
    private sealed class Brightness(string name) : IAnomalyDetector
    {
        public string Name { get; } = name;
        public InputPipeline Input { get; } = InputPipeline.None;
        public IReadOnlyList<ScoreColumn> Columns { get; } = [new ScoreColumn(name, name == Trainer.DetectorName ? "mean brightness" : name)];
        public ScoreThreshold Threshold { get; } = new(0.05, [0, 255]);

        public float[] Score(Tensor samples, ScoreColumn? column = null) =>
            samples.to_type(ScalarType.Float32).reshape(samples.shape[0], -1).mean([1]).data<float>().ToArray();

        public void Save(string directory)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "brightness.txt"), "mean brightness");
        }

        public void Dispose() { }
    }

    private sealed class Trainer(string name = Trainer.DetectorName) : IDetectorTrainer
    {
        public const string DetectorName = "brightness";
        public int Fits { get; private set; }
        public List<long> NormalCounts { get; } = [];
        public string Name { get; } = name;

        public IAnomalyDetector Fit(Tensor normal, FitSettings settings)
        {
            Fits++;
            NormalCounts.Add(normal.shape[0]);
            File.WriteAllText(Path.Combine(settings.RunDirectory!, "fit.txt"), $"seed {settings.Seed}");
            return new Brightness(Name);
        }
    }

    private sealed class Lines : IFitObserver
    {
        public List<string> All { get; } = [];
        public T Fit<T>(string title, OmasganOptions options, Func<IProgress<Stages.StageProgress>?, T> fit) => fit(null);
        public void Info(string line) => All.Add(line);
    }

    private LooOptions Options(string data) => new()
    {
        Dataset = "mnist", DataDirectory = data, Classes = [2, 7], Seeds = [1, 4], Detectors = [Trainer.DetectorName],
        Detector = new OmasganOptions(),
    };

    [Fact]
    public void A_fake_detector_gets_a_complete_report_and_a_rerun_skips_its_folds()
    {
        int[] labels = Enumerable.Range(0, 100).Select(i => i % 10).ToArray();
        string data = temp.WriteIdxDataset("data", labels, labels[..50]);
        string run = Path.Combine(temp.Path, "run");
        LooOptions options = Options(data);
        var trainer = new Trainer();

        LooSummary summary;
        using (LooProtocol protocol = LooProtocol.Open(options))
            summary = LooRunner.Run(options, protocol, [trainer], run, IFitObserver.Silent);

        Assert.Equal(4, trainer.Fits);
        Assert.All(trainer.NormalCounts, n => Assert.Equal(90, n));
        Assert.Equal(["brightness"], summary.Columns.Select(c => c.Key));
        Assert.Equal([(2, 1), (7, 1), (2, 4), (7, 4)], summary.Folds.Select(f => (f.Class, f.Seed)));
        Assert.All(summary.Folds, f => Assert.Equal((50L, 5L), (f.TestImages, f.AnomalousTestImages)));
        foreach (LooFold fold in summary.Folds)
        {
            string folder = Path.Combine(run, LooRunner.FoldFolder(fold.Class, fold.Seed), Trainer.DetectorName);
            foreach (string file in new[] { "metrics.json", "scores.csv", "roc.png", "score_histogram.png", "model/brightness.txt" })
                Assert.True(File.Exists(Path.Combine(folder, file)), file);
            Assert.Equal($"seed {fold.Seed}", File.ReadAllText(Path.Combine(folder, "fit.txt")));
            Assert.Equal(51, File.ReadAllLines(Path.Combine(folder, "scores.csv")).Length);
            Assert.InRange(fold.Detectors["brightness"].Auroc, 0, 1);
        }
        string report = File.ReadAllText(Path.Combine(run, LooReport.ReportFileName));
        Assert.Contains("| class | seed | mean brightness |", report);
        Assert.Contains("| **mean ± std** |", report);
        Assert.DoesNotContain("OMASGAN", report);
        var written = JsonSerializer.Deserialize<LooSummary>(File.ReadAllText(Path.Combine(run, LooReport.SummaryFileName)), OmasganDetector.JsonOptions)!;
        Assert.Equal(summary.Auroc["brightness"], written.Auroc["brightness"]);
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, LooReport.TableFileName)).Length);

        var lines = new Lines();
        using (LooProtocol protocol = LooProtocol.Open(options))
            LooRunner.Run(options, protocol, [trainer], run, lines);
        Assert.Equal(4, trainer.Fits);
        Assert.Equal(4, lines.All.Count(l => l.Contains("brightness already complete")));
    }

    [Fact]
    public void A_fold_folder_of_the_earlier_layout_is_refused_and_kept()
    {
        int[] labels = Enumerable.Range(0, 100).Select(i => i % 10).ToArray();
        string data = temp.WriteIdxDataset("data", labels, labels[..50]);
        string run = Path.Combine(temp.Path, "run");
        string fold = Path.Combine(run, LooRunner.FoldFolder(2, 1));
        Directory.CreateDirectory(fold);
        File.WriteAllText(Path.Combine(fold, DetectorRun.MetricsFileName), "{}");
        LooOptions options = Options(data);
        using LooProtocol protocol = LooProtocol.Open(options);
        var e = Assert.Throws<InvalidDataException>(() => LooRunner.Run(options, protocol, [new Trainer()], run, IFitObserver.Silent));
        Assert.Contains("earlier version", e.Message);
        Assert.Contains("nothing was deleted", e.Message);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(fold, DetectorRun.MetricsFileName)));
    }

    [Fact]
    public void A_detector_another_process_is_running_is_left_to_it_and_the_report_marks_it_missing()
    {
        int[] labels = Enumerable.Range(0, 100).Select(i => i % 10).ToArray();
        string data = temp.WriteIdxDataset("data", labels, labels[..50]);
        string run = Path.Combine(temp.Path, "run");
        LooOptions options = Options(data) with { Seeds = [1] };
        var first = new Trainer();
        var second = new Trainer("second");
        string busy = Path.Combine(run, LooRunner.FoldFolder(7, 1), "second");
        Directory.CreateDirectory(busy);
        File.WriteAllText(Path.Combine(busy, "partial.txt"), "another process's work");
        var lines = new Lines();
        LooSummary summary;
        using (FileLock held = FileLock.TryAcquire(busy + ".lock")!)
        using (LooProtocol protocol = LooProtocol.Open(options))
            summary = LooRunner.Run(options, protocol, [first, second], run, lines);

        Assert.Equal((2, 1), (first.Fits, second.Fits));
        Assert.Contains(lines.All, l => l.Contains("second is being run by another process"));
        Assert.Equal("another process's work", File.ReadAllText(Path.Combine(busy, "partial.txt")));
        Assert.False(summary.Folds.Single(f => f.Class == 7).Detectors.ContainsKey("second"));
        Assert.Equal(1, summary.Auroc["second"].Count);
        string row = File.ReadAllLines(Path.Combine(run, LooReport.ReportFileName)).First(l => l.StartsWith("| 7 "));
        Assert.EndsWith("| – |", row);
        Assert.False(File.Exists(busy + ".lock"), "the lock file goes with its holder");
    }

    public void Dispose() => temp.Dispose();
}
