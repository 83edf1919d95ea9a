using Omasgan.Checkpoints;
using Omasgan.Data;
using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>Which trained network scores the samples; every score is oriented so higher = more anomalous.</summary>
public enum ScoreSource
{
    /// <summary>The Stage 4 scorer: S(x). The detector's score.</summary>
    Scorer,
    /// <summary>The Stage 1 f-GAN discriminator: −D(x) (the ablation without boundary samples).</summary>
    Stage1Discriminator,
    /// <summary>The Stage 3 discriminator: −D′(x).</summary>
    Stage3Discriminator,
}

/// <summary>Which trained generator to draw samples from.</summary>
public enum SampleSource
{
    /// <summary>Stage 1's G: samples of the learnt normal distribution.</summary>
    Stage1Generator,
    /// <summary>Stage 2's B: samples on the boundary of the normal support.</summary>
    Boundary,
    /// <summary>Stage 3's G′.</summary>
    Stage3Generator,
}

/// <summary>
/// OMASGAN anomaly detector: <see cref="Fit"/> on normal data only (runs the four stages), then
/// <see cref="Score"/> new samples (higher = more anomalous), <see cref="Predict"/>, and
/// <see cref="Save"/>/<see cref="Load"/>.
/// </summary>
public sealed partial class OmasganDetector : IDisposable
{
    /// <summary>Samples scored per forward pass.</summary>
    public const int ScoreBatchSize = 4096;

    private readonly OmasganNetworks networks;

    private OmasganDetector(OmasganOptions options, long[] sampleShape, int latentDim, OmasganNetworks networks,
        FeatureScaling? scaling, double[] trainingScoreQuantiles)
    {
        Options = options;
        SampleShape = sampleShape;
        LatentDim = latentDim;
        this.networks = networks;
        Scaling = scaling;
        TrainingScoreQuantiles = trainingScoreQuantiles;
        networks.eval();
    }

    /// <summary>The options the detector was trained with.</summary>
    public OmasganOptions Options { get; }

    /// <summary>The shape of one sample, e.g. [2] for 2-D points.</summary>
    public long[] SampleShape { get; }

    public int LatentDim { get; }

    /// <summary>Quantiles 0, 0.001, …, 1 of the scorer's scores on the normal training data.</summary>
    public IReadOnlyList<double> TrainingScoreQuantiles { get; private set; }

    /// <summary>
    /// For a detector of images: the raw images it takes (<see cref="ScoreImages"/> prepares them);
    /// set once after fitting, saved with the model. Null for vector data.
    /// </summary>
    public ImageInput? Input
    {
        get => input;
        set
        {
            if (value is not null && !value.SampleShape.SequenceEqual(SampleShape))
                throw new ArgumentException($"Image input of sample shape [{string.Join(", ", value.SampleShape)}] does not fit this detector's [{string.Join(", ", SampleShape)}].");
            input = value;
        }
    }
    private ImageInput? input;

    /// <summary>The standardisation applied before every network (null: none).</summary>
    public FeatureScaling? Scaling { get; }

    /// <summary>
    /// Trains the four stages on <paramref name="normal"/> (n, ...sample shape), normal data only.
    /// With <paramref name="checkpoints"/>, progress is saved as it goes, a run can resume from the
    /// last complete checkpoint, and a diverged stage can roll back to it with a lower learning rate.
    /// </summary>
    /// <param name="options">null: the defaults, or when resuming, the checkpoint's own options.</param>
    /// <exception cref="InvalidOptionException">an option is out of its range.</exception>
    /// <exception cref="TrainingDivergedException">a loss became NaN or infinite and no rollback was left.</exception>
    /// <exception cref="ModelLoadException">the checkpoint to resume from is unreadable or altered.</exception>
    /// <param name="cancellation">stops the fit at the next step with <see cref="OperationCanceledException"/>; with <paramref name="checkpoints"/>, the last complete checkpoint stays resumable.</param>
    public static OmasganDetector Fit(Tensor normal, OmasganOptions? options = null, IProgress<StageProgress>? progress = null,
        CheckpointOptions? checkpoints = null, CancellationToken cancellation = default)
    {
        checkpoints?.Validate();
        if (normal.dim() < 2 || normal.shape[0] < 2)
            throw new ArgumentException($"Need at least two normal samples as an (n, ...) tensor; got shape [{string.Join(", ", normal.shape)}].", nameof(normal));
        using Tensor data = Float32Copy(normal);
        string? dataSha256 = checkpoints is null ? null : CheckpointStore.Fingerprint(data);

        CheckpointManifest? resume = checkpoints is { Resume: true } ? CheckpointStore.ReadManifest(checkpoints.Directory) : null;
        if (resume is not null)
        {
            if (!Hashes.Same(resume.DataSha256, dataSha256!))
                throw new ArgumentException($"{checkpoints!.Directory}: the checkpoint was trained on other data.", nameof(normal));
            if (options is not null && options != resume.Options)
                throw new ArgumentException($"{checkpoints!.Directory}: the checkpoint was trained with other options (its {CheckpointStore.ManifestFileName} holds them).", nameof(options));
            options = resume.Options;
        }
        options ??= new OmasganOptions();
        options.Validate();

        var factors = new Dictionary<OmasganStage, double>(resume?.LearningRateFactors ?? new Dictionary<OmasganStage, double>());
        for (int rollback = 0; ; rollback++)
        {
            try
            {
                return Train(data, options, factors, progress, checkpoints, dataSha256, resume, cancellation);
            }
            catch (TrainingDivergedException e) when (checkpoints is not null && rollback < checkpoints.Rollbacks)
            {
                // Back to the last complete checkpoint (or the start), the diverged stage slower.
                factors[e.Stage] = factors.GetValueOrDefault(e.Stage, 1) * checkpoints.RollbackLearningRateFactor;
                resume = CheckpointStore.ReadManifest(checkpoints.Directory);
            }
        }
    }

    /// <summary>The normal data as float32 (a new handle, disposed by the caller); refuses NaN and infinities.</summary>
    private static Tensor Float32Copy(Tensor normal)
    {
        using var scope = NewDisposeScope();
        Tensor data = normal.detach().to_type(ScalarType.Float32).contiguous();
        if (!isfinite(data).all().item<bool>())
            throw new ArgumentException("The normal data contains NaN or infinite values.", nameof(normal));
        return scope.MoveToOuter(data);
    }

    /// <param name="requested">the options the run was started with; checkpoints record these.</param>
    /// <param name="factors">factors on each stage's learning rate from rollbacks: training uses the requested rates times these.</param>
    private static OmasganDetector Train(Tensor data, OmasganOptions requested, IReadOnlyDictionary<OmasganStage, double> factors,
        IProgress<StageProgress>? progress, CheckpointOptions? checkpoints, string? dataSha256, CheckpointManifest? resume,
        CancellationToken cancellation)
    {
        OmasganOptions options = factors.Aggregate(requested, (o, f) => o.WithLearningRateScaled(f.Key, f.Value));
        long[] sampleShape = data.shape[1..];
        int latentDim = options.ResolveLatentDim(sampleShape);
        FeatureScaling? scaling = options.Standardize ? FeatureScaling.Fit(data) : null;
        manual_seed(options.Seed);
        var nets = new OmasganNetworks(options.Architecture, latentDim, sampleShape);
        try
        {
            CheckpointStore? store = null;
            if (checkpoints is not null)
            {
                MemoryStream? state = resume is null ? null : CheckpointStore.LoadState(checkpoints.Directory, resume, nets);
                store = new CheckpointStore(checkpoints, nets, (stage, step) => new CheckpointManifest
                {
                    Options = requested, LearningRateFactors = new Dictionary<OmasganStage, double>(factors),
                    SampleShape = sampleShape, LatentDim = latentDim, Scaling = scaling,
                    Stage = stage, Step = step, DataSha256 = dataSha256!, StateFile = "", StateSha256 = "",
                    Versions = LibraryVersions,
                }, resume is null ? null : (resume, state!));
            }
            using Tensor? scaled = scaling?.Apply(data);
            var context = new StageContext(scaled ?? data, options.Divergence, latentDim, progress, store, cancellation);
            // A stage starts from its predecessors' networks unless the run resumes inside or after it.
            bool starts(OmasganStage stage) => resume is null || stage > resume.Stage;

            new FGanStage(options.FGan).Train(context, nets.Generator, nets.Discriminator);

            if (starts(OmasganStage.Boundary))
            {
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

            var detector = new OmasganDetector(options, sampleShape, latentDim, nets, scaling, []);
            detector.TrainingScoreQuantiles = Quantiles(detector.Score(data));
            return detector;
        }
        catch
        {
            nets.Dispose();
            throw;
        }
    }

    /// <summary><see cref="Fit(Tensor, OmasganOptions?, IProgress{StageProgress}?, CheckpointOptions?, CancellationToken)"/> on rows of features, one array per sample.</summary>
    public static OmasganDetector Fit(IReadOnlyList<float[]> normal, OmasganOptions? options = null, IProgress<StageProgress>? progress = null,
        CheckpointOptions? checkpoints = null, CancellationToken cancellation = default)
    {
        using Tensor data = Rows(normal, nameof(normal));
        return Fit(data, options, progress, checkpoints, cancellation);
    }

    /// <summary>Anomaly scores of rows of features, one array per sample: higher = more anomalous.</summary>
    public float[] Score(IReadOnlyList<float[]> samples, ScoreSource source = ScoreSource.Scorer)
    {
        using Tensor data = Rows(samples, nameof(samples));
        return Score(data, source);
    }

    /// <summary>Rows of equal length as an (n, features) tensor.</summary>
    private static Tensor Rows(IReadOnlyList<float[]> rows, string name)
    {
        if (rows.Count == 0)
            throw new ArgumentException("Give at least one row.", name);
        int width = rows[0].Length;
        if (width == 0)
            throw new ArgumentException("The first row has no features.", name);
        for (int i = 1; i < rows.Count; i++)
            if (rows[i].Length != width)
                throw new ArgumentException($"Row {i} has {rows[i].Length} features where the first has {width}.", name);
        var flat = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
            rows[i].CopyTo(flat, i * width);
        return tensor(flat, [rows.Count, width]);
    }

    /// <summary>
    /// Anomaly scores of <paramref name="samples"/> (n, ...sample shape): higher = more anomalous.
    /// Scoring changes no state (networks in eval mode, no gradients), so several threads may score
    /// with one detector at once; <see cref="Dispose"/> must not run while they do.
    /// </summary>
    public float[] Score(Tensor samples, ScoreSource source = ScoreSource.Scorer)
    {
        CheckShape(samples);
        (nn.Module<Tensor, Tensor> network, float sign) = source switch
        {
            ScoreSource.Scorer => (networks.Scorer, 1f),
            ScoreSource.Stage1Discriminator => (networks.Discriminator, -1f),
            ScoreSource.Stage3Discriminator => (networks.RetrainedDiscriminator, -1f),
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
        };
        var scores = new float[samples.shape[0]];
        network.eval();
        using var _ = no_grad();
        for (long start = 0; start < scores.Length; start += ScoreBatchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(ScoreBatchSize, scores.Length - start);
            Tensor batch = samples.narrow(0, start, count).to_type(ScalarType.Float32);
            if (Scaling is not null) batch = Scaling.Apply(batch);
            (network.call(batch) * sign).data<float>().CopyTo(scores, (int)start);
        }
        return scores;
    }

    /// <summary>
    /// Scores raw uint8 images (n, c, h, w), prepared as in training (see <see cref="Input"/>).
    /// </summary>
    /// <param name="anySize">resize images of any size (the user's own folders); otherwise they must be the training images' size.</param>
    /// <exception cref="InvalidOperationException">the detector was not trained on images.</exception>
    /// <exception cref="ArgumentException">the images have another channel count or size.</exception>
    public float[] ScoreImages(Tensor images, string source, ScoreSource scoreSource = ScoreSource.Scorer, bool anySize = false)
    {
        ImageInput prepared = Input ?? throw new InvalidOperationException("This detector was not trained on images.");
        var scores = new float[images.shape[0]];
        // Prepared in slices so a large split never exists in float form all at once.
        for (long start = 0; start < scores.Length; start += ScoreBatchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(ScoreBatchSize, scores.Length - start);
            Score(prepared.Prepare(images.narrow(0, start, count), source, anySize), scoreSource).CopyTo(scores, (int)start);
        }
        return scores;
    }

    /// <summary><paramref name="count"/> samples of one of the trained generators.</summary>
    public Tensor Sample(SampleSource source, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        nn.Module<Tensor, Tensor> generator = source switch
        {
            SampleSource.Stage1Generator => networks.Generator,
            SampleSource.Boundary => networks.Boundary,
            SampleSource.Stage3Generator => networks.RetrainedGenerator,
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
        };
        generator.eval();
        using var _ = no_grad();
        Tensor samples = generator.call(rand(count, LatentDim));
        return Scaling?.Invert(samples) ?? samples;
    }

    /// <summary>The score above which a fraction <paramref name="contamination"/> of the normal training data lies.</summary>
    public double ThresholdForContamination(double contamination)
    {
        OptionChecks.InRange(contamination, 0, 1, nameof(contamination));
        if (TrainingScoreQuantiles.Count == 0)
            throw new InvalidOperationException("The detector has no training scores to take a threshold from.");
        return Interpolate(TrainingScoreQuantiles, 1 - contamination);
    }

    /// <summary>True for each sample whose score is at or above <paramref name="threshold"/> (as the metrics count a detection).</summary>
    public bool[] Predict(Tensor samples, double threshold) =>
        Score(samples).Select(s => s >= threshold).ToArray();

    /// <summary>Predicts with the threshold that flags <paramref name="contamination"/> of the training data.</summary>
    public bool[] PredictWithContamination(Tensor samples, double contamination) =>
        Predict(samples, ThresholdForContamination(contamination));

    public void Dispose() => networks.Dispose();

    private void CheckShape(Tensor samples)
    {
        if (samples.dim() != SampleShape.Length + 1 || !samples.shape[1..].SequenceEqual(SampleShape))
            throw new ArgumentException(
                $"The detector takes samples of shape [{string.Join(", ", SampleShape)}]; got a batch of shape [{string.Join(", ", samples.shape)}].",
                nameof(samples));
    }

    /// <summary>Quantiles 0, 0.001, …, 1 of <paramref name="scores"/>.</summary>
    internal static double[] Quantiles(float[] scores)
    {
        if (scores.Length == 0) return [];
        double[] sorted = scores.Select(s => (double)s).Order().ToArray();
        return Enumerable.Range(0, 1001).Select(i => Interpolate(sorted, i / 1000.0)).ToArray();
    }

    /// <summary>The q-quantile of ascending <paramref name="sorted"/> values, linearly interpolated (numpy's default).</summary>
    internal static double Interpolate(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
