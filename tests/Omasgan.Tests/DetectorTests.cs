using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Networks;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class DetectorTests
{
    /// <summary>A few hundred steps per stage with small networks: seconds, not minutes.</summary>
    internal static OmasganOptions TinyOptions(int steps = 60, int seed = 3) => new()
    {
        Seed = seed,
        Architecture = new MlpArchitecture { HiddenWidth = 16, HiddenLayers = 2 },
        FGan = new FGanOptions { Steps = steps, BatchSize = 32 },
        Boundary = new BoundaryOptions { Steps = steps, BatchSize = 32, SquaredDistances = true, NearestDataWeight = 20, ScatteringWeight = 1 },
        Retraining = new RetrainingOptions { Steps = steps, BatchSize = 32 },
        Scorer = new ScorerOptions { Steps = steps, BatchSize = 32 },
    };

    internal static Tensor ToyTraining(int count = 512, ulong seed = 5)
    {
        using var generator = new Generator(seed);
        return new TwoModeToyData().SampleNormal(count, generator);
    }

    [Fact]
    public void Same_seed_gives_the_same_scores_twice()
    {
        Tensor data = ToyTraining();
        Tensor probe = ToyTraining(64, seed: 9);
        using var first = OmasganTrainer.Fit(data, TinyOptions());
        using var second = OmasganTrainer.Fit(data, TinyOptions());
        Assert.Equal(first.Score(probe), second.Score(probe));
        using var other = OmasganTrainer.Fit(data, TinyOptions(seed: 4));
        Assert.NotEqual(first.Score(probe), other.Score(probe));
    }

    [Fact]
    public void Save_then_load_gives_identical_scores_from_every_network()
    {
        Tensor data = ToyTraining();
        Tensor probe = ToyTraining(64, seed: 9);
        string dir = Path.Combine(Path.GetTempPath(), "omasgan-test-" + Guid.NewGuid());
        try
        {
            using var detector = OmasganTrainer.Fit(data, TinyOptions());
            detector.Save(dir);
            using var loaded = OmasganDetector.Load(dir);
            foreach (ScoreColumn source in detector.Columns)
                Assert.Equal(detector.Score(probe, source), loaded.Score(probe, source));
            Assert.Equal(detector.Options, loaded.Options);
            Assert.Equal(detector.SampleShape, loaded.SampleShape);
            Assert.Equal(detector.Threshold, loaded.Threshold);
            Assert.Equal(detector.Threshold.For(0.2), loaded.Threshold.For(0.2));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Altered_weights_are_refused_on_load()
    {
        string dir = Path.Combine(Path.GetTempPath(), "omasgan-test-" + Guid.NewGuid());
        try
        {
            using (var detector = OmasganTrainer.Fit(ToyTraining(), TinyOptions(steps: 2)))
                detector.Save(dir);
            string weights = Path.Combine(dir, OmasganDetector.WeightsFileName);
            byte[] bytes = File.ReadAllBytes(weights);
            bytes[^5] ^= 0x40;
            File.WriteAllBytes(weights, bytes);
            var e = Assert.Throws<ModelLoadException>(() => OmasganDetector.Load(dir));
            Assert.Contains("SHA-256", e.Message);
            Assert.Throws<ModelLoadException>(() => OmasganDetector.Load(Path.Combine(dir, "missing")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Contamination_threshold_flags_that_share_of_the_training_data()
    {
        Tensor data = ToyTraining();
        using var detector = OmasganTrainer.Fit(data, TinyOptions());
        double flagged = detector.Predict(data, detector.Threshold.For(0.1)).Count(a => a) / (double)data.shape[0];
        Assert.InRange(flagged, 0.08, 0.12);
        Assert.All(detector.Predict(data, double.PositiveInfinity), a => Assert.False(a));
    }

    [Fact]
    public void Scores_of_the_wrong_shape_are_refused()
    {
        using var detector = OmasganTrainer.Fit(ToyTraining(), TinyOptions(steps: 2));
        var e = Assert.Throws<ArgumentException>(() => detector.Score(zeros(4, 3)));
        Assert.Contains("[2]", e.Message);
    }

    [Theory]
    [InlineData("steps")]
    [InlineData("lr")]
    [InlineData("zeta")]
    [InlineData("mu")]
    [InlineData("width")]
    [InlineData("latent")]
    public void Options_out_of_range_are_rejected_naming_the_allowed_range(string which)
    {
        OmasganOptions options = TinyOptions();
        (OmasganOptions bad, string expected) = which switch
        {
            "steps" => (options with { FGan = options.FGan with { Steps = -1 } }, "FGanOptions.Steps must be in [0, 10000000]"),
            "lr" => (options with { Retraining = options.Retraining with { LearningRate = 0 } }, "RetrainingOptions.LearningRate must be in (0, 1]"),
            "zeta" => (options with { Scorer = options.Scorer with { Zeta = 1.5 } }, "ScorerOptions.Zeta must be in [0, 1]"),
            "mu" => (options with { Boundary = options.Boundary with { NearestDataWeight = -2 } }, "BoundaryOptions.NearestDataWeight must be in [0, 1000000]"),
            "width" => (options with { Architecture = new MlpArchitecture { HiddenWidth = 0 } }, "HiddenWidth must be in [1, 4096]"),
            "latent" => (options with { LatentDim = 0 }, "LatentDim must be in [1, 4096]"),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
        var e = Assert.Throws<InvalidOptionException>(() => OmasganTrainer.Fit(ToyTraining(), bad));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_loss_that_overflows_stops_training_naming_stage_step_and_loss()
    {
        // Unstandardised data of size 1e25: Stage 1's losses stay finite (about −1e25), but Stage 2's
        // squared nearest-data distance from B(z) (near the origin) is ~1e50 and overflows float32.
        Tensor huge = ToyTraining() * 1e25f;
        var e = Assert.Throws<TrainingDivergedException>(() => OmasganTrainer.Fit(huge, TinyOptions() with { Standardize = false }));
        Assert.Equal(OmasganStage.Boundary, e.Stage);
        Assert.Equal(1, e.Step);
        Assert.Equal("B", e.Loss);
        Assert.Contains("Stage 2 (Boundary) diverged at step 1: loss B = ", e.Message);
    }

    [Fact]
    public void Bad_training_data_is_refused()
    {
        Assert.Throws<ArgumentException>(() => OmasganTrainer.Fit(zeros(1, 2), TinyOptions()));
        Tensor withNan = ToyTraining();
        withNan[0, 0] = tensor(float.NaN);
        Assert.Throws<ArgumentException>(() => OmasganTrainer.Fit(withNan, TinyOptions()));
    }

    [Fact]
    public void Fit_leaves_no_tensor_alive_once_the_detector_is_disposed()
    {
        Tensor data = ToyTraining().to_type(ScalarType.Float64); // converted inside Fit
        OmasganOptions options = TinyOptions(steps: 5);
        using (OmasganTrainer.Fit(data, options)) { } // the first fit creates libtorch's lazily made state
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (OmasganTrainer.Fit(data, options)) { }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Rows_of_features_fit_and_score_like_the_same_tensor_and_ragged_rows_are_refused()
    {
        Tensor data = ToyTraining(256);
        float[][] rows = Enumerable.Range(0, 256).Select(i => data[i].data<float>().ToArray()).ToArray();
        Tensor probe = ToyTraining(20, seed: 4);
        float[][] probeRows = Enumerable.Range(0, 20).Select(i => probe[i].data<float>().ToArray()).ToArray();
        using var fromTensor = OmasganTrainer.Fit(data, TinyOptions(steps: 5));
        using var fromRows = OmasganTrainer.Fit(rows, TinyOptions(steps: 5));
        Assert.Equal(fromTensor.Score(probe), fromRows.Score(probeRows));

        var e = Assert.Throws<ArgumentException>(() => fromRows.Score([[1f, 2f], [3f]]));
        Assert.Contains("Row 1 has 1 features where the first has 2", e.Message);
    }

    [Fact]
    public void Predict_flags_a_score_equal_to_the_threshold_as_the_metrics_do()
    {
        using var detector = OmasganTrainer.Fit(ToyTraining(256), TinyOptions(steps: 5));
        Tensor probe = ToyTraining(20, seed: 4);
        float[] scores = detector.Score(probe);
        bool[] flagged = detector.Predict(probe, scores[7]);
        Assert.True(flagged[7]);
        Assert.Equal(scores.Select(s => s >= scores[7]), flagged);
    }

    [Fact]
    public void Several_threads_scoring_with_one_detector_get_the_serial_scores()
    {
        using var detector = OmasganTrainer.Fit(ToyTraining(256), TinyOptions(steps: 5));
        Tensor probe = ToyTraining(2000, seed: 4);
        float[] serial = detector.Score(probe);
        float[][] parallel = new float[8][];
        Parallel.For(0, parallel.Length, i => parallel[i] = detector.Score(probe));
        Assert.All(parallel, p => Assert.Equal(serial, p));
    }

    [Fact]
    public void The_threshold_is_fixed_at_fit_from_the_contamination_and_saved_with_the_model()
    {
        Tensor data = ToyTraining();
        string dir = Path.Combine(Path.GetTempPath(), "omasgan-test-" + Guid.NewGuid());
        try
        {
            using var detector = OmasganTrainer.Fit(data, TinyOptions(), contamination: 0.2);
            Assert.Equal(0.2, detector.Threshold.Contamination);
            double flagged = detector.Predict(data).Count(a => a) / (double)data.shape[0];
            Assert.InRange(flagged, 0.18, 0.22);
            detector.Save(dir);
            using IAnomalyDetector loaded = DetectorCatalog.Load(dir);
            Assert.Equal(detector.Threshold.Value, loaded.Threshold.Value);
            Assert.Equal(detector.Predict(data), loaded.Predict(data));
            Assert.Throws<InvalidOptionException>(() => OmasganTrainer.Fit(data, TinyOptions(), contamination: 1.5));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
