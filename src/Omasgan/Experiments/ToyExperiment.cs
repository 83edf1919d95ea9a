using System.Diagnostics;
using System.Text.Json;
using Omasgan.Checkpoints;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Evaluation;
using Omasgan.Losses;
using Omasgan.Reporting;
using Omasgan.Stages;
using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Experiments;

/// <summary>Settings of the 2-D experiment (paper Section 5.1).</summary>
public sealed record ToyExperimentOptions
{
    public int TrainingSize { get; init; } = TwoModeToyData.DefaultTrainingSize;
    public int NormalTestSize { get; init; } = 2000;
    public int BoxAnomalies { get; init; } = 1000;
    public int GapAnomalies { get; init; } = 200;
    /// <summary>Samples drawn from G and B for the pictures and the boundary statistics.</summary>
    public int GeneratedSamples { get; init; } = 1000;
    /// <summary>Heat-map resolution (cells per side).</summary>
    public int GridSize { get; init; } = 120;
    public TwoModeToyData Data { get; init; } = new();
    public OmasganOptions Detector { get; init; } = ToyDefaults.Detector;

    public void Validate()
    {
        OptionChecks.InRange(TrainingSize, 2, 10_000_000, nameof(TrainingSize));
        OptionChecks.InRange(NormalTestSize, 1, 10_000_000, nameof(NormalTestSize));
        OptionChecks.InRange(BoxAnomalies + GapAnomalies, 1, 10_000_000, nameof(BoxAnomalies) + " + " + nameof(GapAnomalies));
        OptionChecks.InRange(GeneratedSamples, 1, 1_000_000, nameof(GeneratedSamples));
        OptionChecks.InRange(GridSize, 2, 2000, nameof(GridSize));
        Detector.Validate();
    }
}

/// <summary>
/// Median distance from generated samples to their nearest training point, and how well Stage 1
/// covers the data: the 90th percentile over training points of the distance to the nearest Stage 1
/// sample (small when G reaches every part of every mode).
/// </summary>
/// <see cref="AngularCoverage"/> tells whether the boundary samples ring each mode.
public sealed record BoundaryStatistics(double Stage1MedianNearestDistance, double BoundaryMedianNearestDistance,
    double Stage1CoverageP90, double AngularCoverage, double LargestModeScale);

/// <summary>What the 2-D experiment measured; also written as metrics.json.</summary>
public sealed record ToyResult(string RunDirectory, DetectionMetrics Scorer, IReadOnlyDictionary<string, double> DetectorAuroc,
    BoundaryStatistics Boundary, IReadOnlyDictionary<string, double> StageSeconds, double TotalSeconds);

/// <summary>
/// Runs the 2-D experiment: makes the two-mode data, fits a detector, evaluates it on fresh normal
/// points and off-support anomalies, and writes the configuration, metrics, pictures and model.
/// </summary>
public static class ToyExperiment
{
    /// <summary>The run folder's checkpoint folder.</summary>
    public const string CheckpointFolder = "checkpoints";

    /// <param name="checkpoints">checkpointing of the fit, if any; usually in the run folder's <see cref="CheckpointFolder"/>.</param>
    public static ToyResult Run(ToyExperimentOptions options, string runDirectory, IProgress<StageProgress>? progress = null,
        CheckpointOptions? checkpoints = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(runDirectory);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "config.json"), JsonSerializer.Serialize(options, OmasganDetector.JsonOptions));

        using var dataGenerator = new Generator((ulong)options.Detector.Seed);
        Tensor training = options.Data.SampleNormal(options.TrainingSize, dataGenerator);
        Tensor normalTest = options.Data.SampleNormal(options.NormalTestSize, dataGenerator);
        Tensor anomalies = options.Data.SampleAnomalies(options.BoxAnomalies, options.GapAnomalies, dataGenerator);

        var stageClock = new StageClock(progress);
        using OmasganDetector detector = OmasganTrainer.Fit(training, options.Detector, stageClock, checkpoints);
        stageClock.Finish();

        Tensor test = cat([normalTest, anomalies], 0);
        bool[] labels = [.. Enumerable.Repeat(false, (int)normalTest.shape[0]), .. Enumerable.Repeat(true, (int)anomalies.shape[0])];
        var testScores = detector.Columns.ToDictionary(column => column,
            column => detector.Score(test, column).Select(s => (double)s).ToArray());
        var curves = testScores.ToDictionary(s => s.Key.Key, s => new RocCurve(s.Value, labels));
        DetectionMetrics scorerMetrics = DetectionMetrics.Compute(curves[ScoreColumn.Scorer.Key]);

        Tensor stage1Samples = detector.Sample(SampleSource.Stage1Generator, options.GeneratedSamples);
        Tensor boundarySamples = detector.Sample(SampleSource.Boundary, options.GeneratedSamples);
        var boundary = new BoundaryStatistics(
            MedianNearestDistance(stage1Samples, training),
            MedianNearestDistance(boundarySamples, training),
            NearestDistanceQuantile(training, stage1Samples, 0.9),
            AngularCoverage(boundarySamples, options.Data),
            options.Data.Modes.Max(m => m.Scale));

        detector.Save(Path.Combine(runDirectory, "model"));
        WritePictures(runDirectory, options, detector, training, anomalies, stage1Samples, boundarySamples, curves,
            testScores[ScoreColumn.Scorer], labels);

        var result = new ToyResult(Path.GetFullPath(runDirectory), scorerMetrics,
            curves.ToDictionary(c => c.Key, c => c.Value.Auroc()), boundary, stageClock.Seconds, clock.Elapsed.TotalSeconds);
        WriteMetrics(runDirectory, result);
        return result;
    }

    /// <summary>Reads options written as a run's config.json.</summary>
    public static ToyExperimentOptions ReadOptions(string path) => ConfigFile.Read<ToyExperimentOptions>(path, "experiment options");

    /// <summary>Median over samples of the Euclidean distance to the nearest training point.</summary>
    public static double MedianNearestDistance(Tensor samples, Tensor data) => NearestDistanceQuantile(samples, data, 0.5);

    /// <summary>
    /// How completely samples ring the modes: each sample goes to its nearest mode centre (in mode
    /// scales); per mode, the share of 16 equal angular sectors that hold a sample between 1 and 8
    /// scales from the centre; averaged over modes. 1 means a full ring around every mode.
    /// </summary>
    public static double AngularCoverage(Tensor samples, TwoModeToyData data, int sectors = 16)
    {
        float[] xy = samples.contiguous().data<float>().ToArray();
        var hit = new bool[data.Modes.Count, sectors];
        for (int i = 0; i + 1 < xy.Length; i += 2)
        {
            int nearest = -1;
            double best = double.PositiveInfinity, dx = 0, dy = 0;
            for (int m = 0; m < data.Modes.Count; m++)
            {
                ToyMode mode = data.Modes[m];
                double ex = xy[i] - mode.CentreX, ey = xy[i + 1] - mode.CentreY;
                double r = Math.Sqrt(ex * ex + ey * ey) / mode.Scale;
                if (r < best) (best, nearest, dx, dy) = (r, m, ex, ey);
            }
            if (best is >= 1 and <= 8)
            {
                double angle = Math.Atan2(dy, dx) + Math.PI;
                hit[nearest, Math.Min(sectors - 1, (int)(angle / (2 * Math.PI) * sectors))] = true;
            }
        }
        int covered = 0;
        foreach (bool h in hit) if (h) covered++;
        return (double)covered / hit.Length;
    }

    /// <summary>The q-quantile over <paramref name="from"/> of the Euclidean distance to the nearest row of <paramref name="to"/>.</summary>
    public static double NearestDistanceQuantile(Tensor from, Tensor to, double q)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return NearestDataDistance.PerSample(from, to, squared: false).to_type(ScalarType.Float64).quantile(q).item<double>();
    }

    private static void WriteMetrics(string runDirectory, ToyResult result)
    {
        var metrics = new Dictionary<string, object>
        {
            ["auroc"] = result.Scorer.Auroc,
            ["auprc"] = result.Scorer.Auprc,
            ["scorer"] = result.Scorer,
            ["detectors"] = result.DetectorAuroc,
            ["boundary"] = new Dictionary<string, double>
            {
                ["stage1_median_nearest_distance"] = result.Boundary.Stage1MedianNearestDistance,
                ["boundary_median_nearest_distance"] = result.Boundary.BoundaryMedianNearestDistance,
                ["stage1_coverage_p90"] = result.Boundary.Stage1CoverageP90,
                ["boundary_angular_coverage"] = result.Boundary.AngularCoverage,
                ["largest_mode_scale"] = result.Boundary.LargestModeScale,
            },
            ["stage_seconds"] = result.StageSeconds,
            ["total_seconds"] = result.TotalSeconds,
        };
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "metrics.json"), JsonSerializer.Serialize(metrics, OmasganDetector.JsonOptions));
    }

    private static void WritePictures(string dir, ToyExperimentOptions options, OmasganDetector detector, Tensor training,
        Tensor anomalies, Tensor stage1Samples, Tensor boundarySamples,
        IReadOnlyDictionary<string, RocCurve> curves, double[] scores, bool[] labels)
    {
        Plots.PointLayer Layer(string label, Tensor points, Color color, float size = 3) =>
            new(label, points[.., 0].data<float>().ToArray(), points[.., 1].data<float>().ToArray(), color, size);

        var data = Layer("normal data", training, Colors.Black.WithAlpha(0.35), 2);
        Plots.Scatter(Path.Combine(dir, "stage1_samples.png"), "Stage 1: data and G(z)",
            [data, Layer("G(z)", stage1Samples, Colors.DodgerBlue)]);
        Plots.Scatter(Path.Combine(dir, "boundary_samples.png"), "Stage 2: data and boundary samples B(z)",
            [data, Layer("B(z)", boundarySamples, Colors.Crimson)]);

        Tensor all = cat([training, anomalies], 0);
        double xMin = all[.., 0].min().item<float>(), xMax = all[.., 0].max().item<float>();
        double yMin = all[.., 1].min().item<float>(), yMax = all[.., 1].max().item<float>();
        int n = options.GridSize;
        Tensor xs = linspace(xMin, xMax, n), ys = linspace(yMin, yMax, n);
        Tensor[] grid = meshgrid([ys, xs], indexing: "ij");
        Tensor points = stack([grid[1].flatten(), grid[0].flatten()], 1);
        // Scores grow without bound far from the data; colour by rank over the grid so the
        // ordering near the data, which is what the AUROC measures, stays visible.
        float[] gridScores = detector.Score(points);
        int[] order = Enumerable.Range(0, gridScores.Length).OrderBy(i => gridScores[i]).ToArray();
        var values = new double[n, n];
        for (int rank = 0; rank < order.Length; rank++)
            values[order[rank] / n, order[rank] % n] = 100.0 * rank / (order.Length - 1);
        Plots.HeatMap(Path.Combine(dir, "score_heatmap.png"), "Anomaly score S(x) over the plane", values,
            (xMin, xMax, yMin, yMax), "percentile of S(x) over the plane",
            [Layer("normal data", training, Colors.White.WithAlpha(0.6), 2)]);

        Plots.Roc(Path.Combine(dir, "roc.png"), "ROC on normal test points vs off-support anomalies",
            curves.Select(c => (c.Key, c.Value)));
        Plots.ScoreHistogram(Path.Combine(dir, "score_histogram.png"), "Scorer: normal vs anomalous test scores", scores, labels);
    }
}
