using System.Text.Json;
using TorchSharp;
using Omasgan.Checkpoints;
using Omasgan.Data;
using Omasgan.Experiments;
using Omasgan.Losses;
using Omasgan.Networks;
using Omasgan.Reporting;
using Omasgan.Stages;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>
/// Trains OMASGAN's four stages on normal data only and returns the trained <see cref="OmasganDetector"/>:
/// stage sequencing, the weight copies between stages, checkpoints, resume and the rollback of a diverged stage.
/// </summary>
public sealed class OmasganTrainer(OmasganOptions options) : IDetectorTrainer
{
    public const string CheckpointFolder = "checkpoints";
    /// <summary>Each stage's seconds, written into the run folder of a fit that has one.</summary>
    public const string StageSecondsFileName = "stage_seconds.json";
    /// <summary>Images per sample grid.</summary>
    public const int GridImages = 64;

    /// <summary>The grid pictures a fit on images writes (file name, generator; null for real images).</summary>
    public static IReadOnlyList<(string File, SampleSource? Source)> Grids { get; } =
    [
        ("real_samples.png", null),
        ("stage1_samples.png", SampleSource.Stage1Generator),
        ("boundary_samples.png", SampleSource.Boundary),
        ("stage3_samples.png", SampleSource.Stage3Generator),
    ];

    /// <summary>The options trained with; <see cref="FitSettings.Seed"/> replaces their seed.</summary>
    public OmasganOptions Options { get; } = options;

    public string Name => OmasganDetector.DetectorName;

    /// <summary>
    /// Fits with <see cref="Options"/> and the settings' seed. With a run folder, writes the loss log
    /// (losses.csv, optionally TensorBoard), checkpoints (resumable), each stage's seconds and, for
    /// images, grids of real, Stage 1, boundary and Stage 3 samples.
    /// </summary>
    public IAnomalyDetector Fit(Tensor normal, FitSettings settings)
    {
        settings.Validate();
        OmasganOptions seeded = Options with { Seed = settings.Seed };
        Device? device = settings.Device is string name ? torch.device(name) : null;
        if (settings.RunDirectory is not string folder)
            return settings.Observer.Fit(settings.Title, seeded,
                progress => Fit(normal, seeded, progress, null, settings.Cancellation, settings.Contamination, device));

        Directory.CreateDirectory(folder);
        var checkpoints = new CheckpointOptions
        {
            Directory = Path.Combine(folder, CheckpointFolder),
            Interval = settings.CheckpointInterval,
            Resume = settings.Resume,
            Rollbacks = settings.Rollbacks,
        };
        OmasganDetector detector = settings.Observer.Fit(settings.Title, seeded, progress =>
        {
            CheckpointManifest? resumed = settings.Resume ? CheckpointStore.ReadManifest(checkpoints.Directory) : null;
            using var log = new TrainingLog(folder, seeded.StageSteps, settings.TensorBoard, progress,
                resumed is null ? null : (resumed.Stage, resumed.Step));
            var clock = new StageClock(log);
            OmasganDetector fitted = Fit(normal, seeded, clock, checkpoints, settings.Cancellation, settings.Contamination, device);
            clock.Finish();
            AtomicFile.WriteAllText(Path.Combine(folder, StageSecondsFileName), JsonSerializer.Serialize(clock.Seconds, OmasganDetector.JsonOptions));
            return fitted;
        });
        try
        {
            if (detector.Input.Image is not null)
                WriteGrids(folder, detector, normal);
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    private static void WriteGrids(string folder, OmasganDetector detector, Tensor normal)
    {
        using var scope = NewDisposeScope();
        // The first images of the training set as the networks see them (through a projection, its image).
        Tensor real = detector.Input.ToData(detector.Input.Prepare(normal.narrow(0, 0, Math.Min(GridImages, normal.shape[0]))));
        foreach (var (file, source) in Grids)
        {
            Tensor samples = source is SampleSource s ? detector.Sample(s, GridImages) : real;
            ImageGrid.Save(Path.Combine(folder, file), ImageInput.ToBytes(samples));
        }
        ImageGrid.Save(Path.Combine(folder, BoundaryBatchStatisticsGrid),
            ImageInput.ToBytes(detector.Sample(SampleSource.Boundary, GridImages, batchStatistics: true, detector.Options.Boundary.BatchSize)));
        WriteGeneratorModes(folder, detector, normal);
    }

    /// <summary>Grid of boundary samples drawn in training mode (batch norm on each batch's statistics), as Stage 2 trained B.</summary>
    public const string BoundaryBatchStatisticsGrid = "boundary_samples_batch_statistics.png";

    /// <summary>Where G's and B's samples lie in eval mode and in training mode (see <see cref="WriteGeneratorModes"/>).</summary>
    public const string GeneratorModesFileName = "generator_modes.json";

    /// <summary>
    /// The mean distance from 256 samples of G and of B to their nearest training image, with the
    /// generators in eval mode (how Stages 3 and 4 sample them) and in training mode (how their own
    /// stage trained them, and what Stage 2's nearest-data term constrained), next to the training
    /// images' own median nearest-neighbour distance (on 256 of them) for scale.
    /// </summary>
    private static void WriteGeneratorModes(string folder, OmasganDetector detector, Tensor normal)
    {
        const int count = 256;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // In the images' space, where the samples come back: through a projection, the training images' own.
        Tensor data = detector.Input.ToData(detector.Input.Prepare(normal));
        Tensor norms = NearestDataDistance.SquaredNorms(data);
        // With batch statistics, in batches of the generator's own stage.
        int StageBatch(SampleSource source) =>
            source == SampleSource.Boundary ? detector.Options.Boundary.BatchSize : detector.Options.FGan.BatchSize;
        double Distance(SampleSource source, bool batchStatistics) =>
            NearestDataDistance.Mean(detector.Sample(source, count, batchStatistics, StageBatch(source)), data, squared: false,
                dataSquaredNorms: norms).item<float>();
        long n = data.shape[0];
        // The first images against the rest (a single training image has no neighbour to measure).
        Tensor probe = data.narrow(0, 0, Math.Min(count, n - 1));
        double? dataScale = n < 2 ? null
            : NearestDataDistance.PerSample(probe, data.narrow(0, probe.shape[0], n - probe.shape[0]), squared: false).median().item<float>();
        var modes = new Dictionary<string, double?>
        {
            ["data_median_nearest_neighbour"] = dataScale,
            ["stage1_eval"] = Distance(SampleSource.Stage1Generator, batchStatistics: false),
            ["stage1_batch_statistics"] = Distance(SampleSource.Stage1Generator, batchStatistics: true),
            ["boundary_eval"] = Distance(SampleSource.Boundary, batchStatistics: false),
            ["boundary_batch_statistics"] = Distance(SampleSource.Boundary, batchStatistics: true),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, GeneratorModesFileName), JsonSerializer.Serialize(modes, OmasganDetector.JsonOptions));
    }

    /// <summary>
    /// Trains the four stages on <paramref name="normal"/>, normal data only: uint8 images (n, c, h, w),
    /// which the detector prepares as it will prepare every image it scores, or numbers (n, ...sample shape).
    /// With <paramref name="checkpoints"/>, progress is saved as it goes, a run can resume from the
    /// last complete checkpoint, and a diverged stage can roll back to it with a lower learning rate.
    /// </summary>
    /// <param name="options">null: the defaults, or when resuming, the checkpoint's own options.</param>
    /// <param name="cancellation">stops the fit at the next step with <see cref="OperationCanceledException"/>; with <paramref name="checkpoints"/>, the last complete checkpoint stays resumable.</param>
    /// <param name="contamination">the share of the normal training data above the detector's saved threshold.</param>
    /// <param name="device">where the networks train and score (null: the CPU). Checkpoints keep the CPU generator's state only, so a resume on CUDA is not bitwise; CUDA is untested.</param>
    /// <exception cref="InvalidOptionException">an option is out of its range.</exception>
    /// <exception cref="TrainingDivergedException">a loss became NaN or infinite and no rollback was left.</exception>
    /// <exception cref="ModelLoadException">the checkpoint to resume from is unreadable or altered.</exception>
    public static OmasganDetector Fit(Tensor normal, OmasganOptions? options = null, IProgress<StageProgress>? progress = null,
        CheckpointOptions? checkpoints = null, CancellationToken cancellation = default,
        double contamination = ScoreThreshold.DefaultContamination, Device? device = null)
    {
        checkpoints?.Validate();
        OptionChecks.InRange(contamination, 0, 1, nameof(contamination));
        CheckpointManifest? resume = checkpoints is { Resume: true } ? CheckpointStore.ReadManifest(checkpoints.Directory) : null;
        if (resume is not null)
        {
            if (options is not null && options != resume.Options)
                throw new ArgumentException($"{checkpoints!.Directory}: the checkpoint was trained with other options (its {CheckpointStore.ManifestFileName} holds them).", nameof(options));
            options = resume.Options;
        }
        options ??= new OmasganOptions();
        options.Validate();

        var (pipeline, data) = InputPipeline.Fit(normal, options.Standardize, options.PrincipalComponents, options.SharedScale);
        using (data)
        {
            string? dataSha256 = checkpoints is null ? null : CheckpointStore.Fingerprint(data);
            if (resume is not null && !Hashes.Same(resume.DataSha256, dataSha256!))
                throw new ArgumentException($"{checkpoints!.Directory}: the checkpoint was trained on other data.", nameof(normal));
            var factors = new Dictionary<OmasganStage, double>(resume?.LearningRateFactors ?? new Dictionary<OmasganStage, double>());
            for (int rollback = 0; ; rollback++)
            {
                try
                {
                    OmasganDetector detector = Train(data, pipeline, options, factors, progress, checkpoints, dataSha256, resume, cancellation,
                        contamination, device);
                    return detector;
                }
                catch (TrainingDivergedException e) when (checkpoints is not null && rollback < checkpoints.Rollbacks)
                {
                    // Back to the last complete checkpoint (or the start), the diverged stage slower.
                    factors[e.Stage] = factors.GetValueOrDefault(e.Stage, 1) * checkpoints.RollbackLearningRateFactor;
                    resume = CheckpointStore.ReadManifest(checkpoints.Directory);
                }
            }
        }
    }

    /// <summary><see cref="Fit(Tensor, OmasganOptions?, IProgress{StageProgress}?, CheckpointOptions?, CancellationToken, double)"/> on rows of features, one array per sample.</summary>
    public static OmasganDetector Fit(IReadOnlyList<float[]> normal, OmasganOptions? options = null, IProgress<StageProgress>? progress = null,
        CheckpointOptions? checkpoints = null, CancellationToken cancellation = default,
        double contamination = ScoreThreshold.DefaultContamination)
    {
        using Tensor data = InputPipeline.Rows(normal, nameof(normal));
        return Fit(data, options, progress, checkpoints, cancellation, contamination);
    }

    /// <param name="data">the prepared training data, before the pipeline's scaling.</param>
    /// <param name="requested">the options the run was started with; checkpoints record these.</param>
    /// <param name="factors">factors on each stage's learning rate from rollbacks: training uses the requested rates times these.</param>
    private static OmasganDetector Train(Tensor data, InputPipeline pipeline, OmasganOptions requested,
        IReadOnlyDictionary<OmasganStage, double> factors, IProgress<StageProgress>? progress, CheckpointOptions? checkpoints,
        string? dataSha256, CheckpointManifest? resume, CancellationToken cancellation, double contamination, Device? device)
    {
        OmasganOptions options = factors.Aggregate(requested, (o, f) => o.WithLearningRateScaled(f.Key, f.Value));
        long[] sampleShape = data.shape[1..];
        int latentDim = options.ResolveLatentDim(sampleShape);
        manual_seed(options.Seed);
        var nets = OmasganNetworks.For(options, latentDim, sampleShape);
        try
        {
            CheckpointStore? store = null;
            if (checkpoints is not null)
            {
                MemoryStream? state = resume is null ? null : CheckpointStore.LoadState(checkpoints.Directory, resume, nets);
                store = new CheckpointStore(checkpoints, nets, (stage, step) => new CheckpointManifest
                {
                    Options = requested, LearningRateFactors = new Dictionary<OmasganStage, double>(factors),
                    SampleShape = sampleShape, LatentDim = latentDim, Scaling = pipeline.Scaling,
                    Stage = stage, Step = step, DataSha256 = dataSha256!, StateFile = "", StateSha256 = "",
                    Versions = OmasganDetector.LibraryVersions,
                }, resume is null ? null : (resume, state!));
            }
            bool moved = device is not null && device.type != DeviceType.CPU;
            if (moved) nets.to(device!);
            using Tensor? scaled = pipeline.Scaling?.Apply(data);
            using Tensor? onDevice = moved ? (scaled ?? data).to(device!) : null;
            using MatchedBrightness? brightness = options.Boundary.MatchedBrightnessReference is double reference
                ? new MatchedBrightness(onDevice ?? scaled ?? data, reference) : null;
            var context = new StageContext(onDevice ?? scaled ?? data, options.Objective(), latentDim, progress, store, cancellation)
            {
                ScoresBatchesTogether = options.Architecture.ScoresBatchesTogether,
                BoundaryBrightness = brightness,
            };
            // A stage starts from its predecessors' networks unless the run resumes inside or after it.
            bool starts(OmasganStage stage) => resume is null || stage > resume.Stage;

            new FGanStage(options.FGan).Train(context, nets.Generator, nets.Discriminator, nets.GeneratorAverage);

            if (starts(OmasganStage.Boundary))
            {
                // With a moving average, it is Stage 1's generator from here on (BigGAN samples from its EMA),
                // with batch-norm statistics of its own: the live G's do not fit the averaged weights.
                if (nets.GeneratorAverage is { } average)
                {
                    OmasganNetworks.CopyWeights(average, nets.Generator);
                    WeightAverage.RefreshBatchStatistics(nets.Generator, () => context.Latent(options.FGan.BatchSize));
                }
                OmasganNetworks.CopyWeights(nets.Generator, nets.Boundary);
                OmasganNetworks.CopyWeights(nets.Discriminator, nets.BoundaryDiscriminator);
            }
            new BoundaryStage(options.Boundary).Train(context, nets.Boundary, nets.BoundaryDiscriminator);

            if (starts(OmasganStage.Retraining))
            {
                OmasganNetworks.CopyWeights(nets.Generator, nets.RetrainedGenerator);
                OmasganNetworks.CopyWeights(nets.Discriminator, nets.RetrainedDiscriminator);
            }
            new RetrainingStage(options.Retraining).Train(context, nets.Generator, nets.Boundary,
                nets.RetrainedGenerator, nets.RetrainedDiscriminator);

            if (starts(OmasganStage.Scorer) && options.Scorer.Initialization == ScorerInitialization.NegatedStage3Discriminator)
            {
                OmasganNetworks.CopyWeights(nets.RetrainedDiscriminator, nets.Scorer);
                OmasganNetworks.NegateOutput(nets.Scorer);
            }
            new ScorerStage(options.Scorer).Train(context, nets.RetrainedGenerator, nets.Boundary, nets.Scorer);

            // The threshold comes from the trained scorer's scores of the (prepared) training data.
            nets.eval();
            var unscaled = new InputPipeline(Scaling: pipeline.Scaling);
            float[] trainingScores = unscaled.ScoreInSlices(data, sampleShape, OmasganDetector.ScoreBatchSize, nets.Scorer.call, moved ? device : null);
            return new OmasganDetector(options, pipeline, sampleShape, latentDim, nets, ScoreThreshold.Of(trainingScores, contamination));
        }
        catch
        {
            nets.Dispose();
            throw;
        }
    }
}
