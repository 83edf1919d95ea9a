using Omasgan.Baselines;
using Omasgan.Detection;
using Omasgan.Evaluation;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public sealed class BaselineTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "omasgan-baselines-" + Guid.NewGuid());

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>32×32 images in [−1, 1]: a bright horizontal bar (normal) or a vertical one (anomalous) at a random place, plus noise.</summary>
    internal static Tensor Bars(int count, bool vertical, int seed)
    {
        using var generator = new Generator((ulong)seed);
        Tensor images = full(new long[] { count, 1, 32, 32 }, -1f);
        long[] positions = randint(4, 24, [count], generator: generator).data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            long p = positions[i];
            if (vertical) images[i, 0, .., TensorIndex.Slice(p, p + 4)] = 1f;
            else images[i, 0, TensorIndex.Slice(p, p + 4), ..] = 1f;
        }
        return (images + 0.1f * randn(images.shape, generator: generator)).clamp(-1f, 1f);
    }

    public static TheoryData<string> Names() => [.. BaselineDetectors.Names];

    private static IAnomalyDetector Fit(string name, Tensor normal, BaselineOptions options) =>
        new BaselineTrainer(name, options).Fit(normal, new FitSettings { Seed = 1 });

    [Theory]
    [MemberData(nameof(Names))]
    public void Scores_anomalies_higher_than_normal_samples_and_round_trips_through_save(string name)
    {
        Tensor normal = Bars(512, vertical: false, seed: 1);
        Tensor test = cat([Bars(100, vertical: false, seed: 2), Bars(100, vertical: true, seed: 3)], 0);
        bool[] labels = [.. Enumerable.Repeat(false, 100), .. Enumerable.Repeat(true, 100)];

        using IAnomalyDetector detector = Fit(name, normal, new BaselineOptions { Steps = 300 });
        float[] scores = detector.Score(test);
        double auroc = new RocCurve(scores.Select(s => (double)s).ToArray(), labels).Auroc();
        // Every baseline scored 1.0000 on six other draws of these data and seeds, on the pinned and
        // the native kernel paths: the floor is far below what training noise reaches.
        Assert.True(auroc >= 0.9, $"{name}: AUROC {auroc:F4}");

        string folder = Path.Combine(root, name);
        detector.Save(folder);
        using IAnomalyDetector loaded = DetectorCatalog.Load(folder);
        Assert.Equal(name, loaded.Name);
        Assert.Equal(scores, loaded.Score(test));
    }

    [Fact]
    public void Knn_scores_equal_a_brute_force_mean_distance_to_the_k_nearest()
    {
        manual_seed(9);
        Tensor normal = randn(9000, 12);   // more rows than one chunk of the training data
        Tensor queries = randn(40, 12);
        // Raw rows: the brute force below measures distances without standardising.
        using IAnomalyDetector knn = Fit(BaselineDetectors.Knn, normal, new BaselineOptions { Neighbours = 7, StandardizeRows = false });
        float[] scores = knn.Score(queries);
        double[,] expected = new double[40, 1];
        double[] n = normal.to_type(ScalarType.Float64).data<double>().ToArray();
        double[] q = queries.to_type(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < 40; i++)
        {
            var distances = new double[9000];
            for (int j = 0; j < 9000; j++)
            {
                double sum = 0;
                for (int f = 0; f < 12; f++)
                {
                    double d = q[i * 12 + f] - n[j * 12 + f];
                    sum += d * d;
                }
                distances[j] = Math.Sqrt(sum);
            }
            Assert.Equal(distances.Order().Take(7).Average(), scores[i], 4);
        }
    }

    [Fact]
    public void Fitting_takes_normal_samples_only_and_scores_do_not_depend_on_test_labels()
    {
        // The fitting surface has no parameter for labels or test data.
        Assert.DoesNotContain(typeof(IDetectorTrainer).GetMethod(nameof(IDetectorTrainer.Fit))!.GetParameters(),
            p => p.Name!.Contains("label", StringComparison.OrdinalIgnoreCase) || p.Name!.Contains("test", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(typeof(FitSettings).GetProperties(),
            p => p.Name.Contains("label", StringComparison.OrdinalIgnoreCase) || p.Name.Contains("test", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(typeof(OmasganTrainer).GetMethods().Where(m => m.Name == nameof(OmasganTrainer.Fit)).SelectMany(m => m.GetParameters()),
            p => p.Name!.Contains("label", StringComparison.OrdinalIgnoreCase));
        Tensor normal = Bars(256, vertical: false, seed: 1);
        Tensor test = Bars(50, vertical: true, seed: 3);
        using var a = Fit(BaselineDetectors.Knn, normal, new BaselineOptions());
        using var b = Fit(BaselineDetectors.Knn, normal, new BaselineOptions());
        Assert.Equal(a.Score(test), b.Score(test));
    }

    [Fact]
    public void Unknown_names_and_unreadable_folders_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new BaselineTrainer("forest", new BaselineOptions()));
        Assert.Throws<ArgumentException>(() => DetectorCatalog.Trainer("forest", new OmasganOptions(), new BaselineOptions()));
        Directory.CreateDirectory(root);
        Assert.Throws<ModelLoadException>(() => BaselineDetectors.Load(root));
    }

    [Fact]
    public void The_knn_threshold_fixed_at_fit_flags_the_contamination_share_of_new_normal_data()
    {
        // Each training sample is left out of its own neighbours: were it counted at distance 0, the
        // training scores would run low and the threshold would flag far more than 10 % of new normal data.
        manual_seed(3);
        Tensor normal = randn(2000, 4), fresh = randn(4000, 4);
        using IAnomalyDetector knn = new BaselineTrainer(BaselineDetectors.Knn, new BaselineOptions())
            .Fit(normal, new FitSettings { Seed = 1, Contamination = 0.1 });
        Assert.Equal(0.1, knn.Threshold.Contamination);
        double flagged = knn.Predict(fresh).Count(a => a) / 4000.0;
        Assert.InRange(flagged, 0.07, 0.13);

        string folder = Path.Combine(root, "knn-threshold");
        knn.Save(folder);
        using IAnomalyDetector loaded = DetectorCatalog.Load(folder);
        Assert.Equal(knn.Threshold.Value, loaded.Threshold.Value);
        Assert.Equal(knn.Predict(fresh), loaded.Predict(fresh));
    }

    [Fact]
    public void A_baseline_saved_in_the_first_format_is_refused_with_its_format_version()
    {
        // As the first format wrote it: no version, no input pipeline, no threshold.
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, BaselineDetectors.ManifestFileName), "{ \"name\": \"knn\", \"sample_shape\": [1, 32, 32], \"neighbours\": 5 }");
        var e = Assert.Throws<ModelLoadException>(() => DetectorCatalog.Load(root));
        Assert.Contains("format version 1", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
