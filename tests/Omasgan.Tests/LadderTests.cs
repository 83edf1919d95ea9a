using System.Text.Json;
using Omasgan.Experiments.Ladder;
using Omasgan.Tests.Data;
using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>The dimension ladder's data generators, settings rules, diagnostics and the real <c>omasgan ladder</c> command.</summary>
public sealed class LadderTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static double MinDistanceToPoint(Tensor points, float centre) =>
        (points - centre).square().sum(1).sqrt().min().item<float>();

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(128)]
    public void Modes_have_the_rungs_dimension_and_anomalies_lie_beyond_the_margin_from_every_centre(int d)
    {
        var data = new ModesLadderData { Dimension = d };
        using var generator = new Generator(7);
        Tensor normal = data.SampleNormal(500, generator);
        Tensor anomalies = data.SampleAnomalies(300, 60, generator);
        Assert.Equal(new long[] { 500, d }, normal.shape);
        Assert.Equal(new long[] { 360, d }, anomalies.shape);
        foreach (LadderMode mode in data.Modes)
            Assert.True(MinDistanceToPoint(anomalies, (float)mode.Centre) > data.MarginScales * mode.Scale);
        // The margin grows like the modes' radius: normal points are well inside it.
        Tensor nearestCentre = minimum((normal - 1.5f).square().sum(1).sqrt() / 0.15f, (normal - 4f).square().sum(1).sqrt() / 0.25f);
        Assert.True(nearestCentre.to_type(ScalarType.Float64).quantile(0.99).item<double>() < data.MarginScales);
        Assert.Equal(4.0, new ModesLadderData { Dimension = 2 }.MarginScales, 12);
    }

    [Fact]
    public void Gap_anomalies_lie_on_the_segment_between_the_centres()
    {
        var data = new ModesLadderData { Dimension = 8 };
        using var generator = new Generator(3);
        Tensor gap = data.SampleAnomalies(0, 50, generator);
        Assert.Equal(50, gap.shape[0]);
        // Every coordinate equal (on the diagonal), between the two centres.
        Assert.True((gap - gap[.., 0..1]).abs().max().item<float>() < 1e-6f);
        Assert.True(gap.min().item<float>() >= 1.5f && gap.max().item<float>() <= 4f);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(32)]
    public void Clusters_keep_the_left_out_cluster_out_of_the_normal_data_and_give_it_as_the_anomalies(int d)
    {
        var data = new ClustersLadderData { Dimension = d, Clusters = 5, Separation = 3, LeftOut = 2 };
        using var structure = new Generator(11);
        using var generator = new Generator(12);
        Tensor centres = data.Centres(structure);
        Assert.Equal(new long[] { 5, d }, centres.shape);
        Tensor pairwise = cdist(centres, centres) + eye(5) * 1e9f;
        Assert.Equal(3 * Math.Sqrt(d), pairwise.min().item<float>(), 3);

        Tensor kept = data.SampleKept(centres, 2000, generator);
        Tensor leftOut = data.SampleLeftOut(centres, 300, generator);
        Assert.Equal(new long[] { 2000, d }, kept.shape);
        // Generated from the kept clusters only: subtracting the own centre leaves unit-variance noise,
        // which for the left-out cluster's centre is not the case for any point.
        long[] own = ClustersLadderData.NearestCentre(leftOut, centres).data<long>().ToArray();
        if (d >= 32)
        {
            Assert.All(own, c => Assert.Equal(2, c));
            Assert.DoesNotContain(2L, ClustersLadderData.NearestCentre(kept, centres).data<long>().ToArray());
        }
        // Whatever the dimension, the kept points' mean is not the left-out centre's and the
        // left-out points' mean is.
        Assert.True((leftOut.mean([0]) - centres[2]).norm().item<float>() < 0.5f);
        Tensor keptCentres = centres.index_select(0, tensor(new long[] { 0, 1, 3, 4 }));
        Assert.True((kept.mean([0]) - keptCentres.mean([0])).norm().item<float>() < 0.5f * Math.Sqrt(d / 2.0) + 0.5f);
    }

    [Fact]
    public void The_ladders_cluster_data_never_trains_on_the_left_out_cluster()
    {
        var options = new LadderExperimentOptions { TrainingSize = 3000, NormalTestSize = 500, ClusterAnomalies = 400 };
        using LadderDataset data = LadderExperiment.MakeData(options, LadderVariant.Clusters, 64, seed: 5);
        using var structure = new Generator(0x5EED_0000UL + 5);
        Tensor centres = new ClustersLadderData { Dimension = 64 }.Centres(structure);
        // At d = 64 and 3 radii apart every point is nearest its own cluster's centre.
        Assert.DoesNotContain(0L, ClustersLadderData.NearestCentre(data.Training, centres).data<long>().ToArray());
        Assert.DoesNotContain(0L, ClustersLadderData.NearestCentre(data.NormalTest, centres).data<long>().ToArray());
        Assert.All(ClustersLadderData.NearestCentre(data.Anomalies, centres).data<long>().ToArray(), c => Assert.Equal(0L, c));
    }

    [Fact]
    public void The_embedding_map_is_fixed_per_seed_orthonormal_and_differs_between_seeds()
    {
        var options = new LadderExperimentOptions { TrainingSize = 200, NormalTestSize = 50, BoxAnomalies = 40, GapAnomalies = 10, EmbedDimension = 24, EmbedNoise = 0 };
        using LadderDataset a = LadderExperiment.MakeData(options, LadderVariant.Modes, 4, seed: 1);
        using LadderDataset b = LadderExperiment.MakeData(options, LadderVariant.Modes, 4, seed: 1);
        using LadderDataset c = LadderExperiment.MakeData(options, LadderVariant.Modes, 4, seed: 2);
        Assert.Equal(new long[] { 200, 24 }, a.Training.shape);
        Assert.Equal(new long[] { 50, 24 }, a.NormalTest.shape);
        Assert.True(a.Training.equal(b.Training).all().item<bool>());
        Assert.True(a.Anomalies.equal(b.Anomalies).all().item<bool>());

        using var g1 = new Generator(9);
        using var g2 = new Generator(9);
        using var g3 = new Generator(10);
        using var map1 = new RandomEmbedding(4, 24, 0, g1);
        using var map2 = new RandomEmbedding(4, 24, 0, g2);
        using var map3 = new RandomEmbedding(4, 24, 0, g3);
        Assert.True(map1.Map.equal(map2.Map).all().item<bool>());
        Assert.False(map1.Map.allclose(map3.Map));
        Assert.True(map1.Map.t().matmul(map1.Map).allclose(eye(4), atol: 1e-5));
        // Without noise, distances are kept: the 4-D data mapped back is the original.
        using LadderDataset plain = LadderExperiment.MakeData(options with { EmbedDimension = null }, LadderVariant.Modes, 4, seed: 1);
        Assert.True(cdist(a.Training[..20], a.Training[..20]).allclose(cdist(plain.Training[..20], plain.Training[..20]), atol: 1e-4));
        Assert.Throws<ArgumentException>(() => new RandomEmbedding(8, 4, 0, g1));
    }

    [Fact]
    public void Distance_units_rescale_mu_and_nu_in_opposite_directions_and_none_keeps_them()
    {
        var toy = LadderSettings.Get(LadderSettings.Toy);
        Assert.Null(toy.LatentDim);
        double none = LadderSettings.UnitScale(DistanceUnit.None, 64, 5.0);
        Assert.Equal(toy, LadderSettings.WithDistanceUnits(toy, none, none));
        double s = LadderSettings.UnitScale(DistanceUnit.SqrtDimension, 8, 0);
        Assert.Equal(2, s, 12);
        var scaled = LadderSettings.WithDistanceUnits(toy, s, s);
        // The toy uses squared distances: μ / s², ν · s².
        Assert.Equal(toy.Boundary.NearestDataWeight / 4, scaled.Boundary.NearestDataWeight, 9);
        Assert.Equal(toy.Boundary.ScatteringWeight * 4, scaled.Boundary.ScatteringWeight, 9);
        Assert.Equal(toy.Boundary.ScatteringWeight, LadderSettings.WithDistanceUnits(toy, s, none).Boundary.ScatteringWeight, 9);
        Assert.Equal(1, LadderSettings.UnitScale(DistanceUnit.NearestNeighbour, 2, LadderSettings.ReferenceNearestNeighbourDistance), 12);
        // sqrt-nn with squared distances: μ scales as m₂ / m.
        double root = LadderSettings.UnitScale(DistanceUnit.NearestNeighbourRoot, 2, 4 * LadderSettings.ReferenceNearestNeighbourDistance);
        Assert.Equal(toy.Boundary.NearestDataWeight / 4, LadderSettings.WithDistanceUnits(toy, root, none).Boundary.NearestDataWeight, 9);
        Assert.Throws<ArgumentException>(() => LadderSettings.Get("nope"));
    }

    [Fact]
    public void Diagnostics_are_one_for_samples_of_the_data_itself()
    {
        manual_seed(4);
        Tensor data = randn(800, 3);
        Assert.Equal(0.0, LadderDiagnostics.NearestOtherDistance(tensor(new float[,] { { 0, 0 }, { 3, 4 }, { 3, 5 } })).sub(tensor(new float[] { 5, 1, 1 })).abs().max().item<float>(), 5);
        var same = LadderDiagnostics.Compute(data, randn(100, 3) + 10, randn(800, 3), data + 1e-3f * randn(800, 3));
        Assert.InRange(same.Stage1Coverage, 0.8, 1.25);
        Assert.True(same.BoundaryOffset < 0.1);
        Assert.InRange(same.AnomalyToBoundary, 0.99, 1.01);
        Assert.True(same.AnomalyOffset > 10);
    }

    [Fact]
    public void A_tiny_ladder_through_the_cli_writes_every_file_with_one_row_per_rung_and_seed()
    {
        string run = Path.Combine(temp.Path, "ladder");
        var result = CliProcess.Run(["--threads", "1", "ladder", "--dims", "2,3", "--seeds", "1,2", "--steps", "3",
            "--train-size", "64", "--test-size", "20", "--embed", "5", "--out", run]);
        Assert.True(result.ExitCode == 0, result.Error);
        foreach (string file in new[] { "config.json", "ladder.json", "ladder.csv", "report.md", "auroc_modes.png", "auroc_clusters.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        string[] csv = File.ReadAllLines(Path.Combine(run, "ladder.csv"));
        Assert.Equal(1 + 2 * 2 * 2, csv.Length);
        Assert.All(csv.Skip(1), line => Assert.Equal(csv[0].Split(',').Length, line.Split(',').Length));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "ladder.json")));
        Assert.Equal(8, json.RootElement.GetProperty("rows").GetArrayLength());
        Assert.Equal(5, json.RootElement.GetProperty("rows")[0].GetProperty("features").GetInt32());
        string report = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("## modes", report);
        Assert.Contains("## clusters", report);
        Assert.Contains("modes d=3 seed 2", result.Output);
    }

    [Theory]
    [InlineData("--dims", "2,x", "--dims")]
    [InlineData("--variants", "modes,rings", "--variants")]
    [InlineData("--settings", "fast", "settings")]
    [InlineData("--distance-unit", "metres", "--distance-unit")]
    [InlineData("--scattering-unit", "feet", "--scattering-unit")]
    [InlineData("--embed", "2", "embedding dimension")]
    [InlineData("--mu", "-1", "NearestDataWeight")]
    public void Bad_arguments_give_one_line_and_exit_2(string option, string value, string mentions)
    {
        string run = Path.Combine(temp.Path, "bad");
        string[] dims = option == "--dims" ? [] : ["--dims", "2,4"];
        var result = CliProcess.Run(["ladder", .. dims, option, value, "--out", run]);
        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mentions, lines[0]);
        Assert.False(Directory.Exists(run));
    }
}
