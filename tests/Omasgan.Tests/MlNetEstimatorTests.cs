using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Omasgan.Detection;
using Omasgan.ML;
using Xunit.Abstractions;

namespace Omasgan.Tests;

/// <summary>One short OMASGAN fit through an ML.NET pipeline, shared by the tests of its output.</summary>
public sealed class MlNetFitFixture : IDisposable
{
    /// <summary>The toy's settings with a short budget: a few seconds on 2 cores.</summary>
    internal static OmasganOptions ShortOptions { get; } = OmasganEstimator.VectorDefaults(2).WithStepsPerStage(200) with
    {
        FGan = OmasganEstimator.VectorDefaults(2).FGan with { Steps = 200, DiscriminatorSteps = 2 },
    };

    public MLContext Context { get; } = new(seed: 1);
    public IDataView Training { get; }
    public IDataView Test { get; }
    public TransformerChain<OmasganTransformer> Model { get; }
    public OmasganTransformer Transformer => Model.LastTransformer;

    public MlNetFitFixture()
    {
        Training = Context.Data.LoadFromEnumerable(MlNetEstimatorTests.Blobs(512, seed: 5));
        var test = MlNetEstimatorTests.Blobs(200, seed: 9).Concat(MlNetEstimatorTests.FarPoints(100, seed: 11)).ToList();
        Test = Context.Data.LoadFromEnumerable(test);
        var pipeline = Context.Transforms.Concatenate("Features", nameof(LabelledPoint.X), nameof(LabelledPoint.Y))
            .Append(Context.AnomalyDetection.Trainers.Omasgan(options: ShortOptions, seed: 1, contamination: 0.05));
        Model = pipeline.Fit(Training);
    }

    public void Dispose() => Transformer.Dispose();
}

/// <summary>
/// A row of the tests' data: two coordinates and whether the point is an anomaly (1) or not (0): ML.NET's
/// anomaly evaluator takes a Single label (or a key of two values), not a Boolean.
/// </summary>
public sealed class LabelledPoint
{
    public float X { get; set; }
    public float Y { get; set; }
    public float Label { get; set; }
}

public class MlNetEstimatorTests(MlNetFitFixture fit, ITestOutputHelper output) : IClassFixture<MlNetFitFixture>
{
    private static readonly (float X, float Y, float Scale)[] Centres = [(1.5f, 1.5f, 0.15f), (4f, 4f, 0.25f)];

    /// <summary>Normal points: two Gaussian blobs, half in each.</summary>
    internal static IEnumerable<LabelledPoint> Blobs(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var (x, y, scale) = Centres[i % 2];
            yield return new LabelledPoint { X = x + scale * Gaussian(random), Y = y + scale * Gaussian(random) };
        }
    }

    /// <summary>Anomalies: uniform in [−1, 7]², each more than 1.5 from both centres (6 of the wider blob's scales).</summary>
    internal static IEnumerable<LabelledPoint> FarPoints(int count, int seed)
    {
        var random = new Random(seed);
        for (int made = 0; made < count;)
        {
            float x = -1 + 8 * random.NextSingle(), y = -1 + 8 * random.NextSingle();
            if (Centres.All(c => MathF.Sqrt((x - c.X) * (x - c.X) + (y - c.Y) * (y - c.Y)) > 1.5f))
            {
                made++;
                yield return new LabelledPoint { X = x, Y = y, Label = 1 };
            }
        }
    }

    private static float Gaussian(Random random) =>
        MathF.Sqrt(-2 * MathF.Log(1 - random.NextSingle())) * MathF.Cos(2 * MathF.PI * random.NextSingle());

    private static string TempDir() => Path.Combine(Path.GetTempPath(), "omasgan-mlnet-test-" + Guid.NewGuid());

    /// <summary>SchemaShape's own maker from a schema is internal in ML.NET 5; tests call it to check GetOutputSchema.</summary>
    private static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, [schema])!;

    [Fact]
    public void Pipeline_adds_score_and_predicted_label_and_Evaluate_finds_the_far_points()
    {
        IDataView scored = fit.Model.Transform(fit.Test);

        DataViewSchema.Column score = scored.Schema["Score"], predicted = scored.Schema["PredictedLabel"];
        Assert.Equal(NumberDataViewType.Single, score.Type);
        Assert.Equal(BooleanDataViewType.Instance, predicted.Type);
        Assert.Equal(fit.Test.Schema.Count + 3, scored.Schema.Count); // Features, Score, PredictedLabel

        AnomalyDetectionMetrics metrics = fit.Context.AnomalyDetection.Evaluate(scored);
        Assert.True(metrics.AreaUnderRocCurve > 0.9, $"AUC {metrics.AreaUnderRocCurve}");
        Assert.True(metrics.DetectionRateAtFalsePositiveCount > 0.5, $"detection rate at 10 false positives {metrics.DetectionRateAtFalsePositiveCount}");

        float[] scores = scored.GetColumn<float>("Score").ToArray();
        bool[] flagged = scored.GetColumn<bool>("PredictedLabel").ToArray();
        bool[] labels = scored.GetColumn<float>("Label").Select(l => l == 1).ToArray();
        Assert.Equal(300, scores.Length);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
        Assert.Equal(scores.Select(s => s >= fit.Transformer.Threshold), flagged);
        // The same numbers as the detector's own scoring, row by row.
        float[][] rows = fit.Model.Transform(fit.Test).GetColumn<float[]>("Features").ToArray();
        Assert.Equal(fit.Transformer.Detector.Score(rows), scores);
        // The threshold sits at the 95th percentile of the training scores: few normal test points above it, most anomalies.
        double normalFlagged = flagged.Where((_, i) => !labels[i]).Average(f => f ? 1.0 : 0.0);
        double anomaliesFlagged = flagged.Where((_, i) => labels[i]).Average(f => f ? 1.0 : 0.0);
        output.WriteLine($"AUC {metrics.AreaUnderRocCurve:F3}, DR@10FP {metrics.DetectionRateAtFalsePositiveCount:F3}, "
            + $"flagged: normal {normalFlagged:P0}, anomalies {anomaliesFlagged:P0}, threshold {fit.Transformer.Threshold:F3}");
        Assert.True(normalFlagged < 0.25, $"normal test points flagged: {normalFlagged:P0}");
        Assert.True(anomaliesFlagged > 0.5, $"anomalies flagged: {anomaliesFlagged:P0}");

        // The estimator says the same columns before fitting.
        IDataView features = fit.Context.Transforms.Concatenate("Features", nameof(LabelledPoint.X), nameof(LabelledPoint.Y)).Fit(fit.Test).Transform(fit.Test);
        SchemaShape shape = new OmasganEstimator().GetOutputSchema(Shape(features.Schema));
        Assert.Contains(shape, c => c.Name == "Score" && c.ItemType == NumberDataViewType.Single && c.Kind == SchemaShape.Column.VectorKind.Scalar);
        Assert.Contains(shape, c => c.Name == "PredictedLabel" && c.ItemType == BooleanDataViewType.Instance);
    }

    [Fact]
    public void A_view_of_several_batches_is_scored_row_for_row()
    {
        // 2,500 rows: three batches, the last one short; the scores stay with their rows.
        var points = Blobs(2000, seed: 13).Concat(FarPoints(500, seed: 17)).ToList();
        IDataView scored = fit.Model.Transform(fit.Context.Data.LoadFromEnumerable(points));
        float[] scores = scored.GetColumn<float>("Score").ToArray();
        float[] expected = fit.Transformer.Detector.Score(points.Select(p => new[] { p.X, p.Y }).ToList());
        Assert.Equal(2500, scores.Length);
        for (int i = 0; i < scores.Length; i++)
            Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"row {i}: {scores[i]} vs {expected[i]}");
        Assert.Equal(2500, scored.GetColumn<bool>("PredictedLabel").Count());
    }

    [Fact]
    public void A_prediction_engine_scores_one_row_as_the_view_does()
    {
        var engine = fit.Context.Model.CreatePredictionEngine<LabelledPoint, Prediction>(fit.Model);
        LabelledPoint[] points = [new() { X = 1.5f, Y = 1.5f }, new() { X = 6f, Y = -0.5f, Label = 1 }];
        float[] expected = fit.Model.Transform(fit.Context.Data.LoadFromEnumerable(points)).GetColumn<float>("Score").ToArray();
        for (int i = 0; i < points.Length; i++)
        {
            // One row alone and a batch of rows round differently in libtorch's matrix kernels.
            Prediction p = engine.Predict(points[i]);
            Assert.Equal(expected[i], p.Score, tolerance: 1e-5 * Math.Max(1, Math.Abs(expected[i])));
            Assert.Equal(p.Score >= fit.Transformer.Threshold, p.PredictedLabel);
        }
        Assert.True(expected[1] > expected[0]);
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private sealed class Doubles
    {
        [VectorType(2)] public double[] Features { get; set; } = [];
    }

    private sealed class Variable
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class Scalar
    {
        public float Features { get; set; }
    }

    public static TheoryData<string> WrongColumns => ["missing", "scalar", "doubles", "variable"];

    [Theory]
    [MemberData(nameof(WrongColumns))]
    public void A_feature_column_that_is_not_a_known_size_float_vector_is_refused_with_a_clear_message(string wrong)
    {
        MLContext context = fit.Context;
        (IDataView view, string expected) = wrong switch
        {
            "missing" => (fit.Training, "The input has no column 'Features' (it has: X, Y, Label)"),
            "scalar" => (context.Data.LoadFromEnumerable([new Scalar { Features = 1 }]), "The feature column 'Features' is Single;"),
            "doubles" => (context.Data.LoadFromEnumerable([new Doubles { Features = [1, 2] }]), "The feature column 'Features' is Vector<Double, 2>;"),
            "variable" => (context.Data.LoadFromEnumerable([new Variable { Features = [1, 2] }]), "The feature column 'Features' is Vector<Single>;"),
            _ => throw new ArgumentOutOfRangeException(nameof(wrong)),
        };
        var estimator = context.AnomalyDetection.Trainers.Omasgan(options: MlNetFitFixture.ShortOptions);
        var e = Assert.Throws<ArgumentException>(() => estimator.Fit(view));
        Assert.Contains(expected, e.Message);
        if (wrong != "missing")
            Assert.Contains("OMASGAN needs a known-size vector of Single", e.Message);
        // The same check before fitting, on the schema shape, and on a fitted transformer.
        var shapeError = Assert.Throws<ArgumentException>(() => estimator.GetOutputSchema(Shape(view.Schema)));
        Assert.Contains("'Features'", shapeError.Message);
        var transformError = Assert.Throws<ArgumentException>(() => fit.Transformer.Transform(view));
        Assert.Contains(expected, transformError.Message);
    }

    private sealed class Three
    {
        [VectorType(3)] public float[] Features { get; set; } = [];
    }

    [Fact]
    public void Features_of_another_size_than_fitted_and_other_column_names_are_told_apart()
    {
        IDataView three = fit.Context.Data.LoadFromEnumerable([new Three { Features = [1, 2, 3] }]);
        var e = Assert.Throws<ArgumentException>(() => fit.Transformer.Transform(three));
        Assert.Contains("The feature column 'Features' has 3 features; the detector was fitted on 2.", e.Message);

        var named = fit.Context.AnomalyDetection.Trainers.Omasgan(featureColumnName: "Coordinates");
        Assert.Equal("Coordinates", named.EstimatorOptions.FeatureColumnName);
        var missing = Assert.Throws<ArgumentException>(() => named.Fit(three));
        Assert.Contains("The input has no column 'Coordinates' (it has: Features)", missing.Message);
        Assert.Throws<InvalidOptionException>(() => fit.Context.AnomalyDetection.Trainers.Omasgan(contamination: 2));
        Assert.Throws<ArgumentException>(() => fit.Context.AnomalyDetection.Trainers.Omasgan(new OmasganEstimator.Options { Detector = "nope" }));
    }

    [Fact]
    public void Save_then_load_gives_the_same_scores_and_labels()
    {
        string dir = TempDir();
        try
        {
            fit.Transformer.Save(dir);
            using OmasganTransformer loaded = OmasganTransformer.Load(fit.Context, dir);
            Assert.Equal(fit.Transformer.FeatureColumnName, loaded.FeatureColumnName);
            Assert.Equal(fit.Transformer.FeatureCount, loaded.FeatureCount);
            Assert.Equal(fit.Transformer.Threshold, loaded.Threshold);

            IDataView features = fit.Context.Transforms.Concatenate("Features", nameof(LabelledPoint.X), nameof(LabelledPoint.Y)).Fit(fit.Test).Transform(fit.Test);
            IDataView before = fit.Transformer.Transform(features), after = loaded.Transform(features);
            Assert.Equal(before.GetColumn<float>("Score").ToArray(), after.GetColumn<float>("Score").ToArray());
            Assert.Equal(before.GetColumn<bool>("PredictedLabel").ToArray(), after.GetColumn<bool>("PredictedLabel").ToArray());

            Assert.Throws<ModelLoadException>(() => OmasganTransformer.Load(fit.Context, Path.Combine(dir, "missing")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_whole_pipeline_saves_and_loads_and_scores_raw_rows_the_same()
    {
        string dir = TempDir();
        try
        {
            fit.Context.Model.SaveOmasgan(fit.Model, fit.Training.Schema, dir);
            Assert.True(File.Exists(Path.Combine(dir, OmasganModel.PipelineFileName)));
            TransformerChain<OmasganTransformer> loaded = fit.Context.Model.LoadOmasgan(dir, out DataViewSchema schema);
            using OmasganTransformer omasgan = loaded.LastTransformer;
            Assert.Equal(fit.Training.Schema.Select(c => (c.Name, c.Type)), schema.Select(c => (c.Name, c.Type)));
            Assert.Equal(fit.Transformer.Threshold, omasgan.Threshold);
            // The loaded pipeline makes the feature vector itself from the raw X and Y columns.
            IDataView before = fit.Model.Transform(fit.Test), after = loaded.Transform(fit.Test);
            Assert.Equal(before.GetColumn<float>("Score").ToArray(), after.GetColumn<float>("Score").ToArray());
            Assert.Equal(before.GetColumn<bool>("PredictedLabel").ToArray(), after.GetColumn<bool>("PredictedLabel").ToArray());
            Assert.Throws<ModelLoadException>(() => fit.Context.Model.LoadOmasgan(Path.Combine(dir, "missing"), out _));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MLNet_model_save_is_refused_with_a_pointer_to_the_transformer_own_save()
    {
        using var stream = new MemoryStream();
        var e = Assert.Throws<NotSupportedException>(() => fit.Context.Model.Save(fit.Model, fit.Training.Schema, stream));
        Assert.Contains("transformer.Save(directory)", e.Message);
    }

    [Fact]
    public void A_baseline_fits_through_the_same_estimator_by_name()
    {
        var estimator = fit.Context.AnomalyDetection.Trainers.Omasgan(new OmasganEstimator.Options { Detector = "knn" });
        var pipeline = fit.Context.Transforms.Concatenate("Features", nameof(LabelledPoint.X), nameof(LabelledPoint.Y)).Append(estimator);
        var model = pipeline.Fit(fit.Training);
        using OmasganTransformer knn = model.LastTransformer;
        Assert.Equal("knn", knn.Detector.Name);
        AnomalyDetectionMetrics metrics = fit.Context.AnomalyDetection.Evaluate(model.Transform(fit.Test));
        output.WriteLine($"kNN AUC {metrics.AreaUnderRocCurve:F3}");
        Assert.True(metrics.AreaUnderRocCurve > 0.95, $"kNN AUC {metrics.AreaUnderRocCurve}");
    }
}
