using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Omasgan.Baselines;
using Omasgan.Detection;
using Omasgan.Evaluation;
using Omasgan.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Experiments.Ladder;

/// <summary>Settings of the dimension ladder: which rungs, which seeds, the data's sizes and the detector's settings.</summary>
public sealed record LadderExperimentOptions
{
    public IReadOnlyList<LadderVariant> Variants { get; init; } = [LadderVariant.Modes, LadderVariant.Clusters];
    public IReadOnlyList<int> Dimensions { get; init; } = [2, 4, 8, 16, 32, 64, 128];
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Map every rung's data into this many dimensions by a fixed random linear map (null: no map).</summary>
    public int? EmbedDimension { get; init; }

    /// <summary>Noise added after the map, as a fraction of the smallest mode's (or cluster's) radius scale · √d.</summary>
    public double EmbedNoise { get; init; } = 0.05;

    public int TrainingSize { get; init; } = 4096;
    public int NormalTestSize { get; init; } = 2000;
    /// <summary><c>modes</c>: anomalies uniform in the box and on the segment between the modes.</summary>
    public int BoxAnomalies { get; init; } = 1000;
    public int GapAnomalies { get; init; } = 200;
    /// <summary><c>clusters</c>: test points of the left-out cluster.</summary>
    public int ClusterAnomalies { get; init; } = 1000;
    public int Clusters { get; init; } = 5;
    /// <summary><c>clusters</c>: the two nearest centres' distance in cluster radii.</summary>
    public double ClusterSeparation { get; init; } = 3;

    /// <summary>k of the kNN baseline.</summary>
    public int Neighbours { get; init; } = 5;

    /// <summary>Boundary samples drawn for the diagnostics and the scorer's B-vs-normal AUROC.</summary>
    public int BoundarySamples { get; init; } = 2000;

    /// <summary>The name of the settings <see cref="Detector"/> came from (recorded only).</summary>
    public string Settings { get; init; } = LadderSettings.Default;

    /// <summary>Unit of Stage 2's nearest-data distance per rung (rescales μ); <see cref="DistanceUnit.None"/> keeps μ.</summary>
    public DistanceUnit DistanceUnit { get; init; } = DistanceUnit.None;

    /// <summary>Unit of the scattering term's data distances per rung (rescales ν); <see cref="DistanceUnit.None"/> keeps ν.</summary>
    public DistanceUnit ScatteringUnit { get; init; } = DistanceUnit.None;

    /// <summary>
    /// The detector's settings at every rung; its seed is replaced by the rung's. A null latent size
    /// follows the rung's feature count.
    /// </summary>
    public OmasganOptions Detector { get; init; } = LadderSettings.Get(LadderSettings.Default);

    public void Validate()
    {
        if (Variants.Count == 0) throw new ArgumentException("Give at least one variant.");
        if (Dimensions.Count == 0) throw new ArgumentException("Give at least one dimension.");
        if (Seeds.Count == 0) throw new ArgumentException("Give at least one seed.");
        foreach (LadderVariant v in Variants) OptionChecks.Defined(v, nameof(Variants));
        foreach (int d in Dimensions) OptionChecks.InRange(d, 1, 4096, nameof(Dimensions));
        if (EmbedDimension is int e)
        {
            OptionChecks.InRange(e, 1, 4096, nameof(EmbedDimension));
            if (Dimensions.Max() > e)
                throw new ArgumentException($"The embedding dimension {e} is below the largest rung's d = {Dimensions.Max()}.");
        }
        OptionChecks.InRange(EmbedNoise, 0, 100, nameof(EmbedNoise));
        OptionChecks.InRange(TrainingSize, Math.Max(2, Neighbours + 1), 1_000_000, nameof(TrainingSize));
        OptionChecks.InRange(NormalTestSize, 1, 1_000_000, nameof(NormalTestSize));
        OptionChecks.InRange(BoxAnomalies + GapAnomalies, 1, 1_000_000, nameof(BoxAnomalies) + " + " + nameof(GapAnomalies));
        OptionChecks.InRange(ClusterAnomalies, 1, 1_000_000, nameof(ClusterAnomalies));
        OptionChecks.InRange(Clusters, 2, 100, nameof(Clusters));
        OptionChecks.InRange(ClusterSeparation, 0, 1000, nameof(ClusterSeparation));
        OptionChecks.InRange(Neighbours, 1, 1000, nameof(Neighbours));
        OptionChecks.InRange(BoundarySamples, 2, 1_000_000, nameof(BoundarySamples));
        OptionChecks.Defined(DistanceUnit, nameof(DistanceUnit));
        OptionChecks.Defined(ScatteringUnit, nameof(ScatteringUnit));
        Detector.Validate();
    }
}

/// <summary>One rung × seed of the ladder: the four detectors' AUROC, the diagnostics and what was trained.</summary>
/// <param name="Features">the detector's input size: d, or the embedding dimension.</param>
/// <param name="ScorerBoundaryAuroc">AUROC of S separating boundary samples (positive) from held-out normal points: whether the scorer learnt its own task, whatever B is.</param>
/// <param name="TrainingNearestNeighbourDistance">median nearest-neighbour distance of the training data in the space the detector trains in (standardised when it standardises).</param>
public sealed record LadderRow(LadderVariant Variant, int Dimension, int Features, int Seed,
    double ScorerAuroc, double Stage1Auroc, double Stage3Auroc, double KnnAuroc, double ScorerBoundaryAuroc,
    LadderDiagnostics Diagnostics, double TrainingNearestNeighbourDistance, double Mu, double Nu, int LatentDim, double Seconds);

/// <summary>The whole ladder's results, also written as ladder.json.</summary>
public sealed record LadderResult(string RunDirectory, IReadOnlyList<LadderRow> Rows, double TotalSeconds);

/// <summary>
/// The dimension ladder: synthetic normal data of controlled difficulty at growing dimension d, the
/// OMASGAN detector and kNN fitted on each rung and seed, and diagnostics of where Stage 1's G and
/// Stage 2's B put their samples — to find at which d the scorer stops working, and why.
/// </summary>
public static class LadderExperiment
{
    /// <summary>The AUROC columns of the report and the plot.</summary>
    public static IReadOnlyList<(string Name, Func<LadderRow, double> Value)> AurocColumns { get; } =
    [
        ("scorer", r => r.ScorerAuroc),
        ("stage1_discriminator", r => r.Stage1Auroc),
        ("stage3_discriminator", r => r.Stage3Auroc),
        ("knn", r => r.KnnAuroc),
    ];

    /// <summary>The diagnostic columns of the report (see <see cref="LadderDiagnostics"/>).</summary>
    public static IReadOnlyList<(string Name, Func<LadderRow, double> Value)> DiagnosticColumns { get; } =
    [
        ("scorer_b_vs_normal", r => r.ScorerBoundaryAuroc),
        ("stage1_coverage", r => r.Diagnostics.Stage1Coverage),
        ("boundary_offset", r => r.Diagnostics.BoundaryOffset),
        ("anomaly_offset", r => r.Diagnostics.AnomalyOffset),
        ("anomaly_to_b", r => r.Diagnostics.AnomalyToBoundary),
        ("mu", r => r.Mu),
        ("nu", r => r.Nu),
        ("seconds", r => r.Seconds),
    ];

    /// <param name="log">one line per fitted rung and seed.</param>
    public static LadderResult Run(LadderExperimentOptions options, string runDirectory, Action<string>? log = null)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(runDirectory);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, "config.json"), JsonSerializer.Serialize(options, OmasganDetector.JsonOptions));

        var rows = new List<LadderRow>();
        foreach (LadderVariant variant in options.Variants)
            foreach (int d in options.Dimensions)
                foreach (int seed in options.Seeds)
                {
                    LadderRow row = RunRung(options, variant, d, seed);
                    rows.Add(row);
                    log?.Invoke(Describe(row));
                    // Written after every fit, so an interrupted ladder keeps what it measured.
                    WriteResults(runDirectory, new LadderResult(Path.GetFullPath(runDirectory), rows, clock.Elapsed.TotalSeconds), options);
                }
        var result = new LadderResult(Path.GetFullPath(runDirectory), rows, clock.Elapsed.TotalSeconds);
        WriteResults(runDirectory, result, options);
        Plot(runDirectory, result, options);
        return result;
    }

    /// <summary>One console line for a finished rung and seed.</summary>
    public static string Describe(LadderRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{Name(r.Variant)} d={r.Dimension} seed {r.Seed}: AUROC scorer {r.ScorerAuroc:F3}, −D {r.Stage1Auroc:F3}, −D′ {r.Stage3Auroc:F3}, " +
        $"kNN {r.KnnAuroc:F3}; S(B vs normal) {r.ScorerBoundaryAuroc:F3}; coverage {r.Diagnostics.Stage1Coverage:F2}, " +
        $"B offset {r.Diagnostics.BoundaryOffset:F2}, anomaly offset {r.Diagnostics.AnomalyOffset:F2}, anomaly→B {r.Diagnostics.AnomalyToBoundary:F2}; " +
        $"μ {r.Mu:G3}, ν {r.Nu:G3}; {r.Seconds:F0} s");

    public static string Name(LadderVariant variant) => variant.ToString().ToLowerInvariant();

    /// <summary>Makes a rung's data: training, held-out normal and anomalies, mapped into the embedding when there is one.</summary>
    public static LadderDataset MakeData(LadderExperimentOptions options, LadderVariant variant, int d, int seed)
    {
        using var scope = NewDisposeScope();
        using var samples = new Generator((ulong)seed);
        // The clusters' centres and the embedding come from their own stream, so they do not depend on the sample counts.
        using var structure = new Generator(0x5EED_0000UL + (ulong)seed);
        Tensor training, normalTest, anomalies;
        double smallestRadius;
        if (variant == LadderVariant.Modes)
        {
            var data = new ModesLadderData { Dimension = d };
            training = data.SampleNormal(options.TrainingSize, samples);
            normalTest = data.SampleNormal(options.NormalTestSize, samples);
            anomalies = data.SampleAnomalies(options.BoxAnomalies, options.GapAnomalies, samples);
            smallestRadius = data.Modes.Min(m => m.Scale) * Math.Sqrt(d);
        }
        else
        {
            var data = new ClustersLadderData { Dimension = d, Clusters = options.Clusters, Separation = options.ClusterSeparation };
            Tensor centres = data.Centres(structure);
            training = data.SampleKept(centres, options.TrainingSize, samples);
            normalTest = data.SampleKept(centres, options.NormalTestSize, samples);
            anomalies = data.SampleLeftOut(centres, options.ClusterAnomalies, samples);
            smallestRadius = data.Std * Math.Sqrt(d);
        }
        if (options.EmbedDimension is int to)
        {
            using var embedding = new RandomEmbedding(d, to, options.EmbedNoise * smallestRadius / Math.Sqrt(to), structure);
            (training, normalTest, anomalies) = (embedding.Apply(training, samples), embedding.Apply(normalTest, samples), embedding.Apply(anomalies, samples));
        }
        return new LadderDataset(training.MoveToOuterDisposeScope(), normalTest.MoveToOuterDisposeScope(), anomalies.MoveToOuterDisposeScope());
    }

    /// <summary>The detector's settings for a rung: the rung's seed, and μ, ν in the rung's distance unit.</summary>
    public static OmasganOptions RungDetector(LadderExperimentOptions options, Tensor training, int seed, out double nearestNeighbourDistance)
    {
        using var scope = NewDisposeScope();
        Tensor space = options.Detector.Standardize ? FeatureScaling.Fit(training).Apply(training) : training;
        nearestNeighbourDistance = LadderDiagnostics.MedianNearestNeighbourDistance(space);
        int features = (int)training.shape[1];
        return LadderSettings.WithDistanceUnits(options.Detector with { Seed = seed },
            LadderSettings.UnitScale(options.DistanceUnit, features, nearestNeighbourDistance),
            LadderSettings.UnitScale(options.ScatteringUnit, features, nearestNeighbourDistance));
    }

    private static LadderRow RunRung(LadderExperimentOptions options, LadderVariant variant, int d, int seed)
    {
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        using LadderDataset data = MakeData(options, variant, d, seed);
        OmasganOptions detectorOptions = RungDetector(options, data.Training, seed, out double trainingNn);
        var (test, labels) = data.Test();

        using OmasganDetector detector = OmasganTrainer.Fit(data.Training, detectorOptions);
        double Auroc(float[] scores, bool[] flags) => new RocCurve(scores.Select(s => (double)s).ToArray(), flags).Auroc();
        double scorer = Auroc(detector.Score(test, ScoreColumn.Scorer), labels);
        double stage1 = Auroc(detector.Score(test, ScoreColumn.Stage1Discriminator), labels);
        double stage3 = Auroc(detector.Score(test, ScoreColumn.Stage3Discriminator), labels);
        double knn;
        using (IAnomalyDetector baseline = new BaselineTrainer(BaselineDetectors.Knn,
                   // The ladder's coordinates share one scale; kNN measures them raw, as it always has here.
                   new BaselineOptions { Neighbours = options.Neighbours, StandardizeRows = false })
                   .Fit(data.Training, new FitSettings { Seed = seed }))
            knn = Auroc(baseline.Score(test), labels);

        manual_seed(seed);
        Tensor stage1Samples = detector.Sample(SampleSource.Stage1Generator, (int)data.Training.shape[0]);
        Tensor boundary = detector.Sample(SampleSource.Boundary, options.BoundarySamples);
        LadderDiagnostics diagnostics = LadderDiagnostics.Compute(data.Training, data.Anomalies, stage1Samples, boundary);
        bool[] boundaryLabels = [.. Enumerable.Repeat(false, (int)data.NormalTest.shape[0]), .. Enumerable.Repeat(true, options.BoundarySamples)];
        double scorerBoundary = Auroc(detector.Score(cat([data.NormalTest, boundary], 0), ScoreColumn.Scorer), boundaryLabels);

        return new LadderRow(variant, d, data.Features, seed, scorer, stage1, stage3, knn, scorerBoundary, diagnostics, trainingNn,
            detectorOptions.Boundary.NearestDataWeight, detectorOptions.Boundary.ScatteringWeight, detector.LatentDim,
            clock.Elapsed.TotalSeconds);
    }

    private static void WriteResults(string dir, LadderResult result, LadderExperimentOptions options)
    {
        AtomicFile.WriteAllText(Path.Combine(dir, "ladder.json"), JsonSerializer.Serialize(result, OmasganDetector.JsonOptions));
        AtomicFile.WriteAllText(Path.Combine(dir, "ladder.csv"), Csv(result.Rows));
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), Report(result, options));
    }

    /// <summary>One row per rung × seed.</summary>
    public static string Csv(IEnumerable<LadderRow> rows)
    {
        var csv = new StringBuilder();
        csv.AppendLine("variant,d,features,seed,auroc_scorer,auroc_stage1_discriminator,auroc_stage3_discriminator,auroc_knn," +
            "auroc_scorer_b_vs_normal,nn_distance,stage1_coverage,boundary_offset,anomaly_offset,anomaly_to_b," +
            "training_nn_distance,mu,nu,latent_dim,seconds");
        foreach (LadderRow r in rows)
        {
            LadderDiagnostics g = r.Diagnostics;
            double[] values = [r.ScorerAuroc, r.Stage1Auroc, r.Stage3Auroc, r.KnnAuroc, r.ScorerBoundaryAuroc,
                g.NearestNeighbourDistance, g.Stage1Coverage, g.BoundaryOffset, g.AnomalyOffset, g.AnomalyToBoundary,
                r.TrainingNearestNeighbourDistance, r.Mu, r.Nu];
            csv.Append(CultureInfo.InvariantCulture, $"{Name(r.Variant)},{r.Dimension},{r.Features},{r.Seed},");
            csv.AppendJoin(',', values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
            csv.AppendLine(CultureInfo.InvariantCulture, $",{r.LatentDim},{r.Seconds:F1}");
        }
        return csv.ToString();
    }

    /// <summary>Markdown: per variant, one line per d with the mean ± std over seeds of every AUROC and diagnostic.</summary>
    public static string Report(LadderResult result, LadderExperimentOptions options)
    {
        var md = new StringBuilder();
        md.AppendLine("# Dimension ladder");
        md.AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"Settings `{options.Settings}`, distance units: nearest-data `{options.DistanceUnit}`, scattering `{options.ScatteringUnit}`; divergence {options.Detector.Divergence}, ");
        md.Append(CultureInfo.InvariantCulture, $"stage steps {string.Join("/", options.Detector.StageSteps.Values)}, seeds {string.Join(", ", options.Seeds)}");
        if (options.EmbedDimension is int e)
            md.Append(CultureInfo.InvariantCulture, $", embedded in D = {e}");
        md.Append(CultureInfo.InvariantCulture, $"; {result.TotalSeconds:F0} s in all. ");
        md.AppendLine("Mean ± std over seeds. AUROC: test anomalies positive, held-out normal points negative. " +
            "scorer_b_vs_normal: AUROC of S on boundary samples vs held-out normal points. stage1_coverage: 90th percentile " +
            "data→nearest G over data→nearest other data (≈ 1 is full coverage). boundary_offset: median B→nearest data over the " +
            "data's median nearest-neighbour distance m. anomaly_offset: the same for the anomalies. anomaly_to_b: anomalies' " +
            "median distance to the nearest B over that to the nearest data point (< 1: B reaches towards them).");
        var columns = AurocColumns.Concat(DiagnosticColumns).ToList();
        foreach (var byVariant in result.Rows.GroupBy(r => r.Variant))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {Name(byVariant.Key)}");
            md.AppendLine();
            md.AppendLine("| d | " + string.Join(" | ", columns.Select(c => c.Name)) + " |");
            md.AppendLine("| ---: | " + string.Join(" | ", columns.Select(_ => "---:")) + " |");
            foreach (var rung in byVariant.GroupBy(r => r.Dimension).OrderBy(g => g.Key))
                md.AppendLine($"| {rung.Key} | " + string.Join(" | ", columns.Select(c => MeanStd(rung.Select(c.Value).ToArray()))) + " |");
        }
        return md.ToString();
    }

    /// <summary>"mean ± std" (sample std; just the mean for one value), to three significant decimals.</summary>
    public static string MeanStd(IReadOnlyList<double> values)
    {
        var (mean, std, count) = Evaluation.MeanStd.Of(values.ToArray());
        string format = Math.Abs(mean) >= 100 ? "F0" : Math.Abs(mean) >= 10 ? "F1" : "F3";
        if (count < 2) return mean.ToString(format, CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}");
    }

    private static void Plot(string dir, LadderResult result, LadderExperimentOptions options)
    {
        foreach (var byVariant in result.Rows.GroupBy(r => r.Variant))
        {
            int[] dims = byVariant.Select(r => r.Dimension).Distinct().Order().ToArray();
            Plots.CategoryLines(Path.Combine(dir, $"auroc_{Name(byVariant.Key)}.png"),
                $"{Name(byVariant.Key)}: AUROC against d (mean over seeds; settings {options.Settings}, units {options.DistanceUnit}/{options.ScatteringUnit})",
                dims.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray(), "AUROC",
                AurocColumns.Select(c => (c.Name, dims.Select(d => byVariant.Where(r => r.Dimension == d).Average(c.Value)).ToArray())));
        }
    }
}
