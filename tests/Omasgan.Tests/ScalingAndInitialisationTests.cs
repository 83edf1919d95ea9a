using System.Text.Json;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class ScalingAndInitialisationTests
{
    [Fact]
    public void Feature_scaling_standardises_and_inverts()
    {
        Tensor data = tensor(new float[,] { { 1, 10 }, { 3, 10 }, { 5, 10 } });
        FeatureScaling scaling = FeatureScaling.Fit(data);
        Assert.Equal(new[] { 3f, 10f }, scaling.Mean);
        Assert.Equal(2f, scaling.Std[0], 1e-6);
        Tensor scaled = scaling.Apply(data);
        Assert.Equal(new[] { -1f, 0f, 1f }, scaled[.., 0].data<float>().ToArray());
        Assert.True(allclose(scaling.Invert(scaled), data));
    }

    [Fact]
    public void A_shared_scale_keeps_the_features_relative_spread_and_a_total_variance_of_one_each()
    {
        // Standard deviations 2 and 6: one shared scale, √((4 + 36) / 2) = √20.
        Tensor data = tensor(new float[,] { { 1, 0 }, { 3, 6 }, { 5, 12 } });
        FeatureScaling scaling = FeatureScaling.Fit(data, shared: true);
        Assert.Equal(new[] { 3f, 6f }, scaling.Mean);
        Assert.All(scaling.Std, s => Assert.Equal(MathF.Sqrt(20), s, 1e-5f));
        Tensor scaled = scaling.Apply(data);
        Assert.Equal(3f, scaled[2, 1].item<float>() / scaled[2, 0].item<float>(), 1e-5f);
        Assert.Equal(2f, scaled.var(0).sum().item<float>(), 1e-5f);
        Assert.True(allclose(scaling.Invert(scaled), data, rtol: 0, atol: 1e-5));

        var options = DetectorTests.TinyOptions() with { Standardize = false, SharedScale = true };
        Assert.Contains("do not standardise", Assert.Throws<InvalidOptionException>(options.Validate).Message);
    }

    [Fact]
    public void A_feature_constant_in_training_is_centred_but_not_blown_up()
    {
        Tensor data = tensor(new float[,] { { 1, 10, 1e6f }, { 3, 10, 1e6f }, { 5, 10, 1e6f } });
        FeatureScaling scaling = FeatureScaling.Fit(data);
        Assert.Equal(new[] { 2f, 1f, 1f }, scaling.Std);
        // A test value 0.5 off the training constant moves the input by 0.5, not by 0.5 / 1e-6.
        Tensor scaled = scaling.Apply(tensor(new float[,] { { 3, 10.5f, 1e6f + 1 } }));
        Assert.Equal(new[] { 0f, 0.5f, 1f }, scaled.data<float>().ToArray());
    }

    [Fact]
    public void Scorer_started_from_the_negated_stage_3_discriminator_scores_like_it()
    {
        OmasganOptions options = DetectorTests.TinyOptions() with
        {
            Scorer = new ScorerOptions { Steps = 0, Initialization = ScorerInitialization.NegatedStage3Discriminator },
        };
        using var detector = OmasganTrainer.Fit(DetectorTests.ToyTraining(), options);
        Tensor probe = DetectorTests.ToyTraining(50, seed: 8);
        // S = −D′ and the Stage 3 score is −D′(x).
        float[] scorer = detector.Score(probe, ScoreColumn.Scorer);
        float[] stage3 = detector.Score(probe, ScoreColumn.Stage3Discriminator);
        for (int i = 0; i < scorer.Length; i++)
            Assert.Equal(stage3[i], scorer[i], 1e-5f);
    }

    [Fact]
    public void Generated_samples_come_back_in_data_units()
    {
        // Data far from the origin: samples of a trained Stage 1 generator land near it only if the
        // standardisation is undone.
        Tensor data = DetectorTests.ToyTraining() + 100;
        using var detector = OmasganTrainer.Fit(data, DetectorTests.TinyOptions(steps: 100));
        Tensor samples = detector.Sample(SampleSource.Stage1Generator, 200);
        double meanX = samples[.., 0].mean().item<float>();
        Assert.InRange(meanX, 100, 106);
    }

    [Fact]
    public void Discriminator_steps_out_of_range_are_rejected()
    {
        var options = DetectorTests.TinyOptions() with { FGan = new FGanOptions { DiscriminatorSteps = 0 } };
        var e = Assert.Throws<InvalidOptionException>(() => OmasganTrainer.Fit(DetectorTests.ToyTraining(), options));
        Assert.Contains("FGanOptions.DiscriminatorSteps must be in [1, 100]", e.Message);
    }

    [Fact]
    public void Toy_options_round_trip_through_config_json()
    {
        string path = Path.Combine(Path.GetTempPath(), "omasgan-config-" + Guid.NewGuid() + ".json");
        try
        {
            var options = new ToyExperimentOptions();
            string json = JsonSerializer.Serialize(options, OmasganDetector.JsonOptions);
            File.WriteAllText(path, json);
            ToyExperimentOptions read = ToyExperiment.ReadOptions(path);
            Assert.Equal(json, JsonSerializer.Serialize(read, OmasganDetector.JsonOptions));
            Assert.Equal(options.Detector, read.Detector);
            File.WriteAllText(path, "{ not json");
            Assert.Throws<InvalidDataException>(() => ToyExperiment.ReadOptions(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Angular_coverage_is_one_for_full_rings_and_half_for_half_rings()
    {
        var data = new TwoModeToyData();
        var full = new List<float>();
        var half = new List<float>();
        foreach (ToyMode mode in data.Modes)
            for (int k = 0; k < 64; k++)
            {
                double angle = 2 * Math.PI * (k + 0.5) / 64;
                float x = (float)(mode.CentreX + 3 * mode.Scale * Math.Cos(angle));
                float y = (float)(mode.CentreY + 3 * mode.Scale * Math.Sin(angle));
                full.AddRange([x, y]);
                if (Math.Cos(angle) > 0) half.AddRange([x, y]);
            }
        Assert.Equal(1.0, ToyExperiment.AngularCoverage(tensor(full.ToArray()).reshape(-1, 2), data));
        Assert.Equal(0.5, ToyExperiment.AngularCoverage(tensor(half.ToArray()).reshape(-1, 2), data));
    }
}
