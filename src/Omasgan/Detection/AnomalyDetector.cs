using Omasgan.Checkpoints;
using Omasgan.Experiments;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>
/// What every detector is once fitted (OMASGAN and each baseline): it scores raw samples of the kind
/// it was fitted on (higher = more anomalous) through an input pipeline it owns, carries a threshold
/// fixed at fit time, and saves to a folder (<see cref="DetectorCatalog.Load"/> reads any of them back).
/// A fitted detector does not change: scoring takes no lock, and several threads may score with one
/// detector at once; <see cref="IDisposable.Dispose"/> must not run while they do.
/// </summary>
public interface IAnomalyDetector : IDisposable
{
    /// <summary>The detector's name on the command line and in run folders, e.g. "omasgan", "knn".</summary>
    string Name { get; }

    /// <summary>How raw samples become the detector's input (image preparation, feature scaling); saved with it.</summary>
    InputPipeline Input { get; }

    /// <summary>The scores the detector gives; the first is its own score, the others diagnostics.</summary>
    IReadOnlyList<ScoreColumn> Columns { get; }

    /// <summary>The threshold fixed at fit time from a contamination share of the normal training data.</summary>
    ScoreThreshold Threshold { get; }

    /// <summary>
    /// Scores of raw <paramref name="samples"/>: uint8 images (n, c, h, w) for a detector fitted on
    /// images, otherwise (n, ...sample shape) of numbers. Higher = more anomalous.
    /// </summary>
    /// <param name="column">one of <see cref="Columns"/>; null: the first, the detector's own score.</param>
    /// <exception cref="ArgumentException">the samples are not of the kind and shape the detector was fitted on.</exception>
    float[] Score(Tensor samples, ScoreColumn? column = null);

    /// <summary>Writes the detector into <paramref name="directory"/>, each file atomically.</summary>
    void Save(string directory);
}

/// <summary>One score a detector gives: its key in files, its title in reports.</summary>
public sealed record ScoreColumn(string Key, string Title)
{
    /// <summary>OMASGAN's Stage 4 scorer: S(x), the detector's score.</summary>
    public static ScoreColumn Scorer { get; } = new("scorer", "OMASGAN scorer S");
    /// <summary>The Stage 1 f-GAN discriminator: −D(x) (the ablation without boundary samples).</summary>
    public static ScoreColumn Stage1Discriminator { get; } = new("stage1_discriminator", "Stage 1 −D");
    /// <summary>The Stage 3 discriminator: −D′(x).</summary>
    public static ScoreColumn Stage3Discriminator { get; } = new("stage3_discriminator", "Stage 3 −D′");

    public override string ToString() => Key;
}

/// <summary>
/// A score threshold fixed at fit time: the score above which a share <see cref="Contamination"/> of the
/// normal training data lies (PyOD's contamination). The training scores' quantiles are kept, so
/// another share can be asked for later (<see cref="For"/>).
/// </summary>
public sealed record ScoreThreshold(double Contamination, double[] TrainingQuantiles)
{
    public const double DefaultContamination = 0.05;

    /// <summary>The threshold at <see cref="Contamination"/>.</summary>
    public double Value => For(Contamination);

    /// <summary>Equal when the contamination and every training quantile are.</summary>
    public bool Equals(ScoreThreshold? other) =>
        other is not null && Contamination == other.Contamination && TrainingQuantiles.SequenceEqual(other.TrainingQuantiles);

    public override int GetHashCode() => HashCode.Combine(Contamination, TrainingQuantiles.Length);

    /// <summary>The score above which a share <paramref name="contamination"/> of the normal training data lies.</summary>
    public double For(double contamination)
    {
        OptionChecks.InRange(contamination, 0, 1, nameof(contamination));
        if (TrainingQuantiles.Length == 0)
            throw new InvalidOperationException("The detector has no training scores to take a threshold from.");
        return Interpolate(TrainingQuantiles, 1 - contamination);
    }

    /// <summary>The threshold of <paramref name="trainingScores"/> (scores of normal training samples) at <paramref name="contamination"/>.</summary>
    public static ScoreThreshold Of(float[] trainingScores, double contamination)
    {
        OptionChecks.InRange(contamination, 0, 1, nameof(contamination));
        return new ScoreThreshold(contamination, Quantiles(trainingScores));
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

/// <summary>Fits one kind of detector on normal data only; the trainer of OMASGAN or of a baseline.</summary>
public interface IDetectorTrainer
{
    /// <summary>The name of the detectors it fits (<see cref="IAnomalyDetector.Name"/>).</summary>
    string Name { get; }

    /// <summary>Fits a detector on <paramref name="normal"/> (raw samples, normal only; no labels are taken).</summary>
    IAnomalyDetector Fit(Tensor normal, FitSettings settings);
}

/// <summary>How a fit runs, whatever the detector.</summary>
public sealed record FitSettings
{
    /// <summary>Seed of the weights and every draw.</summary>
    public int Seed { get; init; } = OmasganOptions.DefaultSeed;
    /// <summary>Share of the normal training data above the saved threshold ([0, 1]).</summary>
    public double Contamination { get; init; } = ScoreThreshold.DefaultContamination;
    /// <summary>A folder for the fit's own records (loss log, checkpoints, pictures); null: the fit writes nothing.</summary>
    public string? RunDirectory { get; init; }
    /// <summary>Continue from a checkpoint in <see cref="RunDirectory"/> when there is one.</summary>
    public bool Resume { get; init; }
    public int CheckpointInterval { get; init; } = CheckpointOptions.DefaultInterval;
    /// <summary>Times a diverged stage may roll back to its last checkpoint (detectors that checkpoint).</summary>
    public int Rollbacks { get; init; }
    public bool TensorBoard { get; init; }
    /// <summary>Where the networks train (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>; null: the CPU). Detectors without networks ignore it.</summary>
    public string? Device { get; init; }
    public IFitObserver Observer { get; init; } = IFitObserver.Silent;
    /// <summary>What the fit is, for progress lines.</summary>
    public string Title { get; init; } = "Fitting";
    public CancellationToken Cancellation { get; init; }

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first setting out of range, before anything is written.</summary>
    public void Validate()
    {
        OptionChecks.InRange(Contamination, 0, 1, nameof(Contamination));
        OptionChecks.InRange(CheckpointInterval, 1, 10_000_000, nameof(CheckpointInterval));
        OptionChecks.InRange(Rollbacks, 0, 100, nameof(Rollbacks));
    }
}

public static class AnomalyDetectorExtensions
{
    /// <summary>Scores of rows of features, one array per sample (higher = more anomalous).</summary>
    public static float[] Score(this IAnomalyDetector detector, IReadOnlyList<float[]> rows, ScoreColumn? column = null)
    {
        using Tensor data = InputPipeline.Rows(rows, nameof(rows));
        return detector.Score(data, column);
    }

    /// <summary>
    /// True for each sample whose score is at or above the threshold (as the metrics count a detection):
    /// <paramref name="threshold"/>, or the one fixed at fit time.
    /// </summary>
    public static bool[] Predict(this IAnomalyDetector detector, Tensor samples, double? threshold = null)
    {
        double limit = threshold ?? detector.Threshold.Value;
        return detector.Score(samples).Select(s => s >= limit).ToArray();
    }

    /// <summary>The detector's column with key <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">it has none; the message lists its columns.</exception>
    public static ScoreColumn Column(this IAnomalyDetector detector, string key) =>
        detector.Columns.FirstOrDefault(c => c.Key == key)
        ?? throw new ArgumentException($"The {detector.Name} detector has no score '{key}'; it has: {string.Join(", ", detector.Columns.Select(c => c.Key))}.");
}
