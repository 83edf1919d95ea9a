using System.Text.Json;
using Omasgan.Data;
using Omasgan.Detection;
using Omasgan.Divergences;
using Omasgan.Experiments;
using Omasgan.Networks;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class TrainingSmokeTests
{
    [Fact]
    public void TorchSharp_loads_and_a_stage_1_discriminator_learns()
    {
        manual_seed(11);
        Tensor data = DetectorTests.ToyTraining(256);
        var generator = new MlpArchitecture { HiddenWidth = 16 }.CreateGenerator(2, [2]);
        var discriminator = new MlpArchitecture { HiddenWidth = 16 }.CreateDiscriminator([2]);
        var context = new StageContext(data, Losses.AdversarialObjectives.Objective(Divergence.Pearson), 2);
        using var optimizer = optim.Adam(discriminator.parameters(), 1e-2);
        double Loss()
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            Tensor fake = generator.call(rand(256, 2));
            return Losses.StageLosses.FGanDiscriminator(Losses.AdversarialObjectives.Objective(Divergence.Pearson), discriminator.call(data), discriminator.call(fake)).item<float>();
        }
        double before = Loss();
        var options = new FGanOptions { BatchSize = 64, GradientPenaltyWeight = 0 };
        for (int step = 0; step < 100; step++)
        {
            using var scope = NewDisposeScope();
            FGanStage.DiscriminatorStep(context, discriminator, optimizer, StageContext.SampleFrozen(generator, rand(64, 2)), options);
        }
        Assert.True(Loss() < before - 0.1, $"loss {before} → {Loss()}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Stage_2_trains_its_discriminator_unless_it_is_frozen(bool frozen)
    {
        manual_seed(12);
        Tensor data = DetectorTests.ToyTraining(256);
        var boundary = new MlpArchitecture { HiddenWidth = 16 }.CreateGenerator(2, [2]);
        var discriminator = new MlpArchitecture { HiddenWidth = 16 }.CreateDiscriminator([2]);
        var seen = new List<StageProgress>();
        var context = new StageContext(data, Losses.AdversarialObjectives.Objective(Divergence.Pearson), 2, new SyncProgress(seen.Add));
        Tensor[] Weights(nn.Module m) => m.parameters().Select(p => p.detach().clone()).ToArray();
        Tensor[] before = Weights(discriminator), boundaryBefore = Weights(boundary);
        new BoundaryStage(new BoundaryOptions { Steps = 20, BatchSize = 32, FrozenDiscriminator = frozen }).Train(context, boundary, discriminator);
        bool Same(Tensor[] a, Tensor[] b) => a.Zip(b).All(p => p.First.eq(p.Second).all().item<bool>());
        Assert.Equal(frozen, Same(before, Weights(discriminator)));
        Assert.False(Same(boundaryBefore, Weights(boundary)));
        Assert.All(discriminator.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(!frozen, seen.Last().Losses.ContainsKey("D"));
        Assert.Contains("B", seen.Last().Losses.Keys);
    }

    [Fact]
    public void Progress_is_reported_for_every_stage_up_to_its_last_step()
    {
        var seen = new List<StageProgress>();
        using var detector = OmasganTrainer.Fit(DetectorTests.ToyTraining(), DetectorTests.TinyOptions(steps: 25), new SyncProgress(seen.Add));
        foreach (OmasganStage stage in Enum.GetValues<OmasganStage>())
        {
            var reports = seen.Where(p => p.Stage == stage).ToList();
            Assert.Equal([10, 20, 25], reports.Select(r => r.Step));
            Assert.All(reports, r => Assert.All(r.Losses.Values, v => Assert.True(double.IsFinite(v))));
        }
    }

    [Fact]
    public void Live_tensors_stay_flat_through_every_stage()
    {
        // Tensors alive on this thread at each progress report; the report comes from inside a
        // step's dispose scope, so a step that leaked would raise the count report after report.
        var live = new List<(OmasganStage Stage, int Step, long Count)>();
        using var detector = OmasganTrainer.Fit(DetectorTests.ToyTraining(), DetectorTests.TinyOptions(steps: 200),
            new SyncProgress(p => live.Add((p.Stage, p.Step, DisposeScopeManager.Statistics.ThreadTotalLiveCount))));
        foreach (OmasganStage stage in Enum.GetValues<OmasganStage>())
        {
            var counts = live.Where(l => l.Stage == stage && l.Step >= 20).Select(l => l.Count).Distinct().ToList();
            Assert.True(counts.Count == 1, $"{stage}: live tensors {string.Join(", ", counts)}");
        }
    }

    [Fact]
    public void Toy_anomalies_lie_off_the_support_and_include_the_gap()
    {
        var data = new TwoModeToyData();
        using var generator = new Generator(1);
        Tensor anomalies = data.SampleAnomalies(300, 40, generator);
        Assert.Equal(340, anomalies.shape[0]);
        Assert.True(data.IsOffSupport(anomalies).all().item<bool>());
        // The last 40 are on the segment between the centres: x₁ = x₂ between 1.5 and 4.
        Tensor gap = anomalies.narrow(0, 300, 40);
        Assert.True(allclose(gap[.., 0], gap[.., 1]));
        Assert.True((gap[.., 0] > 1.5).all().item<bool>() && (gap[.., 0] < 4).all().item<bool>());
        // Normal points concentrate at their modes.
        Tensor normal = data.SampleNormal(2000, generator);
        double offShare = data.IsOffSupport(normal).to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(offShare < 0.01, $"{offShare:P} of normal points off support");
    }

    [Fact]
    public void Toy_experiment_writes_every_promised_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), "omasgan-toy-" + Guid.NewGuid());
        try
        {
            var options = new ToyExperimentOptions
            {
                TrainingSize = 256, NormalTestSize = 100, BoxAnomalies = 50, GapAnomalies = 10, GridSize = 20,
                Detector = DetectorTests.TinyOptions(steps: 20),
            };
            ToyResult result = ToyExperiment.Run(options, dir);
            foreach (string file in new[] { "config.json", "metrics.json", "stage1_samples.png", "boundary_samples.png",
                         "score_heatmap.png", "roc.png", "score_histogram.png", "model/manifest.json", "model/weights.bin" })
                Assert.True(File.Exists(Path.Combine(dir, file)), file);
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            Assert.Equal(result.Scorer.Auroc, metrics.RootElement.GetProperty("auroc").GetDouble());
            Assert.True(metrics.RootElement.GetProperty("auprc").GetDouble() > 0);
            foreach (string name in new[] { "scorer", "stage1_discriminator", "stage3_discriminator" })
                Assert.InRange(metrics.RootElement.GetProperty("detectors").GetProperty(name).GetDouble(), 0, 1);
            Assert.True(metrics.RootElement.GetProperty("boundary").GetProperty("boundary_median_nearest_distance").GetDouble() >= 0);
            using var loaded = OmasganDetector.Load(Path.Combine(dir, "model"));
            Assert.Equal(20, loaded.Options.Scorer.Steps);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}

public class StageClockTests
{
    /// <summary>A clock that moves only when told to.</summary>
    sealed class ManualTime : TimeProvider
    {
        public long Ticks { get; set; }
        public override long TimestampFrequency => 1000;
        public override long GetTimestamp() => Ticks;
    }

    [Fact]
    public void A_stage_is_timed_from_the_previous_stage_s_last_step_to_its_own()
    {
        var time = new ManualTime();
        var clock = new StageClock(null, time);
        void At(long ms, OmasganStage stage, int step, int steps)
        {
            time.Ticks = ms;
            clock.Report(new StageProgress(stage, step, steps, new Dictionary<string, double>()));
        }
        // Stage 1: 20 steps reported at 10 and 20, ending at 2 s. Stage 2's first report (step 10)
        // comes at 5 s: those 3 s are Stage 2's.
        At(1000, OmasganStage.FGan, 10, 20);
        At(2000, OmasganStage.FGan, 20, 20);
        At(5000, OmasganStage.Boundary, 10, 15);
        At(6000, OmasganStage.Boundary, 15, 15);
        time.Ticks = 9000; // after training, e.g. scoring: not a stage's time
        clock.Finish();
        Assert.Equal(2.0, clock.Seconds["stage1"]);
        Assert.Equal(4.0, clock.Seconds["stage2"]);
    }
}

public sealed class TrainingLogTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("omasgan-log-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly IReadOnlyDictionary<OmasganStage, int> Steps = new Dictionary<OmasganStage, int>
    {
        [OmasganStage.FGan] = 30, [OmasganStage.Boundary] = 30, [OmasganStage.Retraining] = 30, [OmasganStage.Scorer] = 30,
    };

    static StageProgress At(OmasganStage stage, int step) => new(stage, step, 30, new Dictionary<string, double> { ["D"] = step / 100.0 });

    string[] Rows() => File.ReadAllLines(Path.Combine(dir, TrainingLog.FileName));

    [Fact]
    public void A_resumed_run_keeps_the_rows_up_to_its_checkpoint_and_logs_each_step_once()
    {
        using (var log = new TrainingLog(dir, Steps, tensorBoard: false))
        {
            foreach (int step in new[] { 10, 20, 30 }) log.Report(At(OmasganStage.FGan, step));
            log.Report(At(OmasganStage.Boundary, 10));
            log.Report(At(OmasganStage.Boundary, 20));
            // Written through at each report: a kill now loses nothing.
            Assert.Equal(6, Rows().Length);
        }
        // Killed after Boundary step 20; the last checkpoint was at Boundary step 14.
        using (var log = new TrainingLog(dir, Steps, tensorBoard: false, resumedAt: (OmasganStage.Boundary, 14)))
        {
            log.Report(At(OmasganStage.Boundary, 20));
            log.Report(At(OmasganStage.Boundary, 30));
        }
        Assert.Equal(["stage,step,loss,value", "1,10,D,0.1", "1,20,D,0.2", "1,30,D,0.3", "2,10,D,0.1", "2,20,D,0.2", "2,30,D,0.3"], Rows());

        // A fresh start begins the file anew.
        using (var log = new TrainingLog(dir, Steps, tensorBoard: false))
            log.Report(At(OmasganStage.FGan, 10));
        Assert.Equal(["stage,step,loss,value", "1,10,D,0.1"], Rows());
    }
}
