using System.Text.Json;
using Omasgan.Baselines;
using Omasgan.Detection;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>The nearest-neighbour baselines against scikit-learn 1.2.1 (Fixtures/vector_detectors.json), and the network baselines on rows.</summary>
public class VectorBaselineTests
{
    private sealed record Case(string Detector, int K, string? Reduce, double[] Score);

    private sealed record Fixture(float[][] Train, float[][] Test, Case[] Cases);

    private static readonly Fixture Data = JsonSerializer.Deserialize<Fixture>(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "vector_detectors.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    private static Tensor Rows(float[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    [Theory]
    [InlineData("knn", 1)]
    [InlineData("knn", 5)]
    [InlineData("knn", 10)]
    [InlineData("lof", 5)]
    [InlineData("lof", 20)]
    public void Scores_match_scikit_learn_on_the_same_rows(string detector, int k)
    {
        Case expected = Data.Cases.Single(c => c.Detector == detector && c.K == k && c.Reduce is null or "mean");
        using Tensor train = Rows(Data.Train), test = Rows(Data.Test);
        // Raw rows, as the fixture's scikit-learn detectors saw them.
        using BaselineDetector fitted = detector == "knn"
            ? KnnDetector.Fit(InputPipeline.None, train, k)
            : LofDetector.Fit(InputPipeline.None, train, k);
        float[] scores = fitted.Score(test);
        Assert.Equal(expected.Score.Length, scores.Length);
        for (int i = 0; i < scores.Length; i++)
            Assert.True(Math.Abs(scores[i] - expected.Score[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected.Score[i])),
                $"row {i}: {scores[i]} vs scikit-learn's {expected.Score[i]}");
    }

    [Fact]
    public void Lof_of_a_training_row_leaves_the_row_out_and_is_about_one_inside_a_uniform_cloud()
    {
        torch.manual_seed(3);
        using Tensor grid = stack(meshgrid([arange(0, 10, dtype: ScalarType.Float32), arange(0, 10, dtype: ScalarType.Float32)], indexing: "ij")).reshape(2, -1).t().contiguous();
        using LofDetector lof = LofDetector.Fit(InputPipeline.None, grid, 4);
        using Tensor centre = tensor(new float[] { 4.5f, 4.5f, 30, 30 }, [2, 2]);
        float[] scores = lof.Score(centre);
        Assert.InRange(scores[0], 0.8, 1.25);
        Assert.True(scores[1] > 5, $"a far point's LOF is {scores[1]}");
    }

    [Theory]
    [InlineData(BaselineDetectors.Knn)]
    [InlineData(BaselineDetectors.Lof)]
    [InlineData(BaselineDetectors.Pca)]
    [InlineData(BaselineDetectors.Autoencoder)]
    [InlineData(BaselineDetectors.DeepSvdd)]
    public void Every_baseline_fits_rows_in_units_of_their_own_and_finds_far_rows(string name)
    {
        // Six features, the last three copies of the first three with a little noise; the anomalies break
        // that (copies negated). Features 0 and 3 are in units 1,000 times larger: standardised, they
        // count as much as the others.
        torch.manual_seed(5);
        using Tensor units = tensor(new float[] { 1000, 1, 1, 1000, 1, 1 });
        Tensor Rows(int n, float sign)
        {
            using Tensor b = randn(n, 3);
            using Tensor copies = sign * b + 0.05f * randn(n, 3);
            using Tensor joined = cat([b, copies], 1);
            return joined * units;
        }
        using Tensor normal = Rows(400, 1), near = Rows(50, 1), far = Rows(50, -1);
        using IAnomalyDetector detector = new BaselineTrainer(name, new BaselineOptions()).Fit(normal, new FitSettings { Seed = 2 });
        Assert.NotNull(detector.Input.Scaling);
        float[] inlier = detector.Score(near), outlier = detector.Score(far);
        double auroc = new Evaluation.RocCurve([.. inlier.Select(s => (double)s), .. outlier.Select(s => (double)s)],
            [.. inlier.Select(_ => false), .. outlier.Select(_ => true)]).Auroc();
        // Deep SVDD's pull towards one centre learns the correlations more slowly than the others (0.83 here).
        Assert.True(auroc > (name == BaselineDetectors.DeepSvdd ? 0.75 : 0.9), $"{name}: AUROC {auroc:F3} on rows that break the normal rows' correlations");

        string folder = Path.Combine(Path.GetTempPath(), "omasgan-vector-" + Guid.NewGuid());
        try
        {
            detector.Save(folder);
            using IAnomalyDetector loaded = DetectorCatalog.Load(folder);
            Assert.Equal(outlier, loaded.Score(far));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
