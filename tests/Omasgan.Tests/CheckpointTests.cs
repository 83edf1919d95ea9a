using System.Text.Json.Nodes;
using Omasgan.Checkpoints;
using Omasgan.Detection;
using Omasgan.Stages;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "omasgan-ckpt-" + Guid.NewGuid());

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    static OmasganOptions Options => DetectorTests.TinyOptions(steps: 30) with
    {
        Scorer = DetectorTests.TinyOptions(steps: 30).Scorer with { Initialization = ScorerInitialization.NegatedStage3Discriminator },
    };

    CheckpointOptions Checkpoints(bool resume = false, int rollbacks = 0) =>
        new() { Directory = dir, Interval = 7, Resume = resume, Rollbacks = rollbacks };

    sealed class Collect(Action<StageProgress> add) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => add(value);
    }

    /// <summary>Stands in for a crash: throws at one report.</summary>
    sealed class CrashAt(OmasganStage stage, int step) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            if (value.Stage == stage && value.Step == step)
                throw new IOException("simulated crash");
        }
    }

    [Theory]
    [InlineData(OmasganStage.FGan, 20)]
    [InlineData(OmasganStage.Boundary, 10)]
    [InlineData(OmasganStage.Retraining, 30)]
    [InlineData(OmasganStage.Scorer, 20)]
    public void A_resumed_run_scores_bitwise_like_an_uninterrupted_one(OmasganStage crashStage, int crashStep)
    {
        Tensor data = DetectorTests.ToyTraining();
        Tensor probe = DetectorTests.ToyTraining(64, seed: 9);
        using var uninterrupted = OmasganTrainer.Fit(data, Options);

        Assert.Throws<IOException>(() => OmasganTrainer.Fit(data, Options, new CrashAt(crashStage, crashStep), Checkpoints()));
        CheckpointManifest? saved = CheckpointStore.ReadManifest(dir);
        Assert.NotNull(saved);
        Assert.True(saved.Stage < crashStage || saved.Step < crashStep, "the checkpoint predates the crash");

        var reports = new List<StageProgress>();
        using var resumed = OmasganTrainer.Fit(data, null, new Collect(reports.Add), Checkpoints(resume: true));
        // It went on from the checkpoint, not from the start.
        StageProgress first = reports[0];
        Assert.True(first.Stage > saved.Stage || (first.Stage == saved.Stage && first.Step > saved.Step),
            $"first report {first.Stage} {first.Step} after checkpoint {saved.Stage} {saved.Step}");
        Assert.DoesNotContain(reports, r => r.Stage < saved.Stage);
        foreach (ScoreColumn source in uninterrupted.Columns)
            Assert.Equal(uninterrupted.Score(probe, source), resumed.Score(probe, source));
        Assert.Single(Directory.GetFiles(dir, "state-*.bin"));
    }

    [Fact]
    public void Resuming_on_other_data_or_with_other_options_is_refused()
    {
        Tensor data = DetectorTests.ToyTraining();
        Assert.Throws<IOException>(() => OmasganTrainer.Fit(data, Options, new CrashAt(OmasganStage.Boundary, 10), Checkpoints()));
        var e = Assert.Throws<ArgumentException>(() => OmasganTrainer.Fit(data + 1, Options, null, Checkpoints(resume: true)));
        Assert.Contains("other data", e.Message);
        e = Assert.Throws<ArgumentException>(() => OmasganTrainer.Fit(data, Options with { Seed = 99 }, null, Checkpoints(resume: true)));
        Assert.Contains("other options", e.Message);
    }

    [Fact]
    public void An_altered_checkpoint_is_refused()
    {
        Tensor data = DetectorTests.ToyTraining();
        Assert.Throws<IOException>(() => OmasganTrainer.Fit(data, Options, new CrashAt(OmasganStage.Boundary, 10), Checkpoints()));
        string state = Directory.GetFiles(dir, "state-*.bin").Single();
        byte[] bytes = File.ReadAllBytes(state);
        File.WriteAllBytes(state, bytes[..^10]);
        var e = Assert.Throws<ModelLoadException>(() => OmasganTrainer.Fit(data, Options, null, Checkpoints(resume: true)));
        Assert.Contains("SHA-256", e.Message);
        string manifest = Path.Combine(dir, CheckpointStore.ManifestFileName);
        JsonNode node = JsonNode.Parse(File.ReadAllText(manifest))!;
        node["step"] = 3;
        File.WriteAllText(manifest, node.ToJsonString());
        e = Assert.Throws<ModelLoadException>(() => OmasganTrainer.Fit(data, Options, null, Checkpoints(resume: true)));
        Assert.Contains("content SHA-256", e.Message);
        node["format_version"] = 99;
        File.WriteAllText(manifest, node.ToJsonString());
        e = Assert.Throws<ModelLoadException>(() => OmasganTrainer.Fit(data, Options, null, Checkpoints(resume: true)));
        Assert.Contains("newer", e.Message);
    }

    /// <summary>Stands in for a loss going NaN: throws the divergence once, at one report.</summary>
    sealed class DivergeOnceAt(OmasganStage stage, int step) : IProgress<StageProgress>
    {
        public int Divergences { get; private set; }

        public void Report(StageProgress value)
        {
            if (value.Stage == stage && value.Step == step && Divergences == 0)
            {
                Divergences++;
                throw new TrainingDivergedException(stage, step, "D'", double.NaN);
            }
        }
    }

    [Fact]
    public void A_diverged_stage_rolls_back_to_the_last_checkpoint_with_a_lower_learning_rate()
    {
        Tensor data = DetectorTests.ToyTraining();
        var progress = new DivergeOnceAt(OmasganStage.Retraining, 20);
        using var detector = OmasganTrainer.Fit(data, Options, progress, Checkpoints(rollbacks: 1));
        Assert.Equal(1, progress.Divergences);
        Assert.Equal(Options.Retraining.LearningRate * CheckpointOptions.DefaultRollbackLearningRateFactor, detector.Options.Retraining.LearningRate);
        Assert.Equal(Options.FGan.LearningRate, detector.Options.FGan.LearningRate);
    }

    [Fact]
    public void Without_rollbacks_a_divergence_stops_training_and_keeps_the_last_good_checkpoint()
    {
        Tensor data = DetectorTests.ToyTraining();
        var e = Assert.Throws<TrainingDivergedException>(() =>
            OmasganTrainer.Fit(data, Options, new DivergeOnceAt(OmasganStage.Retraining, 20), Checkpoints()));
        Assert.Equal(OmasganStage.Retraining, e.Stage);
        CheckpointManifest saved = CheckpointStore.ReadManifest(dir)!;
        Assert.Equal((OmasganStage.Retraining, 14), (saved.Stage, saved.Step));
        // The kept checkpoint resumes.
        using var resumed = OmasganTrainer.Fit(data, null, null, Checkpoints(resume: true));
        Assert.Equal(Options, resumed.Options);
    }

    /// <summary>Diverges once at one report, then stops the run (a kill) at another.</summary>
    sealed class DivergeThenCrash(OmasganStage divergeStage, int divergeStep, OmasganStage crashStage, int crashStep) : IProgress<StageProgress>
    {
        private readonly DivergeOnceAt diverge = new(divergeStage, divergeStep);
        private readonly CrashAt crash = new(crashStage, crashStep);

        public void Report(StageProgress value)
        {
            diverge.Report(value);
            crash.Report(value);
        }
    }

    [Fact]
    public void After_a_rollback_the_run_resumes_with_the_options_it_was_started_with()
    {
        Tensor data = DetectorTests.ToyTraining();
        Assert.Throws<IOException>(() => OmasganTrainer.Fit(data, Options,
            new DivergeThenCrash(OmasganStage.Retraining, 20, OmasganStage.Scorer, 20), Checkpoints(rollbacks: 1)));
        // The command line resumes with the options in the run's config, which are the ones it started with.
        using var resumed = OmasganTrainer.Fit(data, Options, null, Checkpoints(resume: true));
        Assert.Equal(Options.Retraining.LearningRate * CheckpointOptions.DefaultRollbackLearningRateFactor, resumed.Options.Retraining.LearningRate);
        Assert.Equal(Options.Scorer.LearningRate, resumed.Options.Scorer.LearningRate);
    }

    [Fact]
    public void A_restored_optimiser_keeps_the_learning_rate_it_was_built_with()
    {
        var networks = new OmasganNetworks(new Networks.MlpArchitecture { HiddenWidth = 8 }, 2, [2]);
        CheckpointManifest Describe(OmasganStage stage, int step) => new()
        {
            Options = Options, SampleShape = [2], LatentDim = 2, Stage = stage, Step = step, DataSha256 = "", StateFile = "",
            StateSha256 = "", Versions = new Dictionary<string, string>(),
        };
        var saving = new CheckpointStore(Checkpoints(), networks, Describe, null);
        using (var adam = optim.Adam(networks.Scorer.parameters(), 1e-3))
            saving.Completed(OmasganStage.Scorer, 7, 30, [adam]);

        CheckpointManifest manifest = CheckpointStore.ReadManifest(dir)!;
        var restoring = new CheckpointStore(Checkpoints(resume: true), networks, Describe,
            (manifest, CheckpointStore.LoadState(dir, manifest, networks)));
        using var halved = optim.Adam(networks.Scorer.parameters(), 5e-4);
        Assert.Equal(7, restoring.Restore(OmasganStage.Scorer, [halved]));
        Assert.All(halved.ParamGroups, g => Assert.Equal(5e-4, g.LearningRate));
    }

    /// <summary>Cancels a token at one report, as a user pressing Ctrl+C would.</summary>
    sealed class CancelAt(OmasganStage stage, int step, CancellationTokenSource source) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            if (value.Stage == stage && value.Step == step) source.Cancel();
        }
    }

    [Fact]
    public void A_cancelled_fit_stops_at_the_next_step_and_resumes_from_its_last_checkpoint()
    {
        Tensor data = DetectorTests.ToyTraining();
        Tensor probe = DetectorTests.ToyTraining(64, seed: 9);
        using var uninterrupted = OmasganTrainer.Fit(data, Options);
        using var source = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            OmasganTrainer.Fit(data, Options, new CancelAt(OmasganStage.Boundary, 20, source), Checkpoints(), source.Token));
        CheckpointManifest saved = CheckpointStore.ReadManifest(dir)!;
        Assert.Equal((OmasganStage.Boundary, 14), (saved.Stage, saved.Step));
        using var resumed = OmasganTrainer.Fit(data, null, null, Checkpoints(resume: true));
        Assert.Equal(uninterrupted.Score(probe), resumed.Score(probe));
    }
}
