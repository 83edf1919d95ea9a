using System.Text.Json;
using Omasgan.Evaluation;

namespace Omasgan.Tests;

public class MetricsTests
{
    public sealed record FixtureCase(string Name, double[] Scores, int[] Labels, double Auroc, double Average_precision);

    /// <summary>Cases with AUROC and average precision computed by scikit-learn 1.2.1.</summary>
    public static TheoryData<string> FixtureNames => new(LoadFixtures().Select(c => c.Name));

    static IReadOnlyList<FixtureCase> LoadFixtures()
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics_cases.json"));
        using var doc = JsonDocument.Parse(stream);
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return doc.RootElement.GetProperty("cases").Deserialize<FixtureCase[]>(options)!;
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Auroc_and_average_precision_match_scikit_learn(string name)
    {
        FixtureCase c = LoadFixtures().Single(f => f.Name == name);
        var roc = new RocCurve(c.Scores, c.Labels.Select(l => l == 1).ToArray());
        Assert.Equal(c.Auroc, roc.Auroc(), 1e-12);
        Assert.Equal(c.Average_precision, roc.AveragePrecision(), 1e-12);
    }

    [Fact]
    public void Equal_error_rate_metrics_match_a_hand_worked_case()
    {
        // Normal: 0.1 0.2 0.3 0.6; anomalous: 0.5 0.7 0.8 0.9.
        // At threshold 0.7: TP 3, FP 0 → FPR 0, FNR 0.25. At 0.5: TP 4, FP 1 → FPR 0.25, FNR 0.
        // At 0.6: TP 3, FP 1 → FPR 0.25 = FNR 0.25, the equal error rate.
        double[] scores = [0.1, 0.2, 0.3, 0.6, 0.5, 0.7, 0.8, 0.9];
        bool[] labels = [false, false, false, false, true, true, true, true];
        DetectionMetrics m = DetectionMetrics.Compute(scores, labels);
        Assert.Equal(0.6, m.EerThreshold);
        Assert.Equal(1, m.FalsePositives);
        Assert.Equal(1, m.FalseNegatives);
        Assert.Equal(0.25, m.FalsePositiveRate);
        Assert.Equal(0.25, m.FalseNegativeRate);
        Assert.Equal(0.75, m.Precision);
        Assert.Equal(0.75, m.Recall);
        Assert.Equal(0.75, m.F1, 1e-12);
        Assert.Equal(0.75, m.Accuracy);
        Assert.Equal(15.0 / 16, m.Auroc, 1e-12);
    }

    [Fact]
    public void Roc_curve_runs_from_nothing_flagged_to_everything_flagged()
    {
        var roc = new RocCurve([0.3, 0.3, 0.9, 0.1], [false, true, true, false]);
        Assert.Equal((0.0, 0.0), (roc.Points[0].FalsePositiveRate, roc.Points[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (roc.Points[^1].FalsePositiveRate, roc.Points[^1].TruePositiveRate));
        Assert.Equal(4, roc.Points.Count); // +∞, 0.9, 0.3 (tied pair), 0.1
    }

    [Fact]
    public void One_class_only_is_rejected_with_the_counts()
    {
        var e = Assert.Throws<ArgumentException>(() => new RocCurve([0.1, 0.2], [false, false]));
        Assert.Contains("0 anomalous and 2 normal", e.Message);
    }

    [Fact]
    public void Non_finite_scores_are_rejected() =>
        Assert.Throws<ArgumentException>(() => new RocCurve([double.NaN, 0.2], [true, false]));
}
