using Omasgan.Divergences;
using Omasgan.Losses;
using Omasgan.Networks;
using Omasgan.Stages;

namespace Omasgan.Detection;

/// <summary>Everything that decides a detector's training: divergence, networks, seed and the four stages.</summary>
public sealed record OmasganOptions
{
    public const int DefaultSeed = 1;

    /// <summary>The f-divergence of every stage (default Pearson χ²).</summary>
    public Divergence Divergence { get; init; } = Divergence.Pearson;

    /// <summary>The adversarial objective of every stage (default: the f-GAN objective of <see cref="Divergence"/>).</summary>
    public AdversarialLoss Loss { get; init; } = AdversarialLoss.FDivergence;

    /// <summary>τ of the KL-WGAN objective's importance weights (0.01–1,000; used only with <see cref="AdversarialLoss.KlWgan"/>).</summary>
    public double Temperature { get; init; } = KlWganObjective.DefaultTemperature;

    /// <summary>The objective the stages play: <see cref="Loss"/> with its settings.</summary>
    public IAdversarialObjective Objective() => Loss == AdversarialLoss.KlWgan ? new KlWganObjective(Temperature) : Divergence.Objective();

    /// <summary>Seed of every random draw (weights, batches, latents); the same seed gives the same detector.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Latent size d (1–4096); null means the sample's size for vectors (so the MLP generator can add z to its output).</summary>
    public int? LatentDim { get; init; }

    /// <summary>
    /// Train and score on features shifted and scaled to zero mean and unit variance (statistics of
    /// the training data, saved with the model). ReLU networks initialise their units around the
    /// origin, so data far from it, such as the 2-D modes at (1.5, 1.5) and (4, 4), trains poorly raw.
    /// </summary>
    public bool Standardize { get; init; } = true;

    /// <summary>
    /// Not in the original method: train and score on each sample's projections onto this many leading
    /// principal components of the normal training data (fitted with them and saved with the model),
    /// before <see cref="Standardize"/>; null: on the samples themselves. Needs the MLP networks.
    /// </summary>
    public int? PrincipalComponents { get; init; }

    /// <summary>
    /// Not in the original method: with <see cref="Standardize"/>, scale every feature by one factor, the
    /// root of their mean variance, instead of each by its own standard deviation. The features keep
    /// their relative spread: with <see cref="PrincipalComponents"/>, the leading components stay the
    /// widest, so distances (Stage 2's nearest-data and scattering terms) are not dominated by the many
    /// faint ones.
    /// </summary>
    public bool SharedScale { get; init; }

    /// <summary>The generator/discriminator pair every stage uses.</summary>
    public NetworkArchitecture Architecture { get; init; } = new MlpArchitecture();

    public FGanOptions FGan { get; init; } = new();
    public BoundaryOptions Boundary { get; init; } = new();
    public RetrainingOptions Retraining { get; init; } = new();
    public ScorerOptions Scorer { get; init; } = new();

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        OptionChecks.Defined(Divergence, nameof(Divergence));
        OptionChecks.Defined(Loss, nameof(Loss));
        OptionChecks.InRange(Temperature, 0.01, 1000, nameof(Temperature));
        if (LatentDim is int d)
            OptionChecks.InRange(d, 1, 4096, nameof(LatentDim));
        if (PrincipalComponents is int k)
        {
            OptionChecks.InRange(k, 1, 4096, nameof(PrincipalComponents));
            if (Architecture is not MlpArchitecture)
                throw new InvalidOptionException(nameof(PrincipalComponents),
                    $"{nameof(PrincipalComponents)} makes every sample a row of {k} numbers, which only the MLP networks take; got {Architecture.GetType().Name}.");
        }
        if (SharedScale && !Standardize)
            throw new InvalidOptionException(nameof(SharedScale), $"{nameof(SharedScale)} sets how standardised features are scaled; these options do not standardise (images on the DCGAN or BigGAN networks).");
        Architecture.Validate();
        FGan.Validate();
        Boundary.Validate();
        Retraining.Validate();
        Scorer.Validate();
    }

    /// <summary>Each stage's number of steps.</summary>
    public IReadOnlyDictionary<OmasganStage, int> StageSteps => new Dictionary<OmasganStage, int>
    {
        [OmasganStage.FGan] = FGan.Steps,
        [OmasganStage.Boundary] = Boundary.Steps,
        [OmasganStage.Retraining] = Retraining.Steps,
        [OmasganStage.Scorer] = Scorer.Steps,
    };

    /// <summary>These options with every stage trained for <paramref name="steps"/> steps.</summary>
    public OmasganOptions WithStepsPerStage(int steps) => WithStageSteps(steps, steps, steps, steps);

    /// <summary>These options with stages 1–4 trained for the given numbers of steps.</summary>
    public OmasganOptions WithStageSteps(int fGan, int boundary, int retraining, int scorer) => this with
    {
        FGan = FGan with { Steps = fGan },
        Boundary = Boundary with { Steps = boundary },
        Retraining = Retraining with { Steps = retraining },
        Scorer = Scorer with { Steps = scorer },
    };

    /// <summary>These options with every stage's Adam learning rate set to <paramref name="rate"/>.</summary>
    public OmasganOptions WithLearningRate(double rate) => this with
    {
        FGan = FGan with { LearningRate = rate },
        Boundary = Boundary with { LearningRate = rate },
        Retraining = Retraining with { LearningRate = rate },
        Scorer = Scorer with { LearningRate = rate },
    };

    /// <summary>These options with one stage's learning rate multiplied by <paramref name="factor"/>.</summary>
    public OmasganOptions WithLearningRateScaled(OmasganStage stage, double factor) => stage switch
    {
        OmasganStage.FGan => this with { FGan = FGan with { LearningRate = FGan.LearningRate * factor } },
        OmasganStage.Boundary => this with { Boundary = Boundary with { LearningRate = Boundary.LearningRate * factor } },
        OmasganStage.Retraining => this with { Retraining = Retraining with { LearningRate = Retraining.LearningRate * factor } },
        OmasganStage.Scorer => this with { Scorer = Scorer with { LearningRate = Scorer.LearningRate * factor } },
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>The latent size actually used for samples of <paramref name="sampleShape"/>.</summary>
    public int ResolveLatentDim(long[] sampleShape) =>
        LatentDim ?? (sampleShape.Length == 1 ? checked((int)sampleShape[0]) : 100);
}
