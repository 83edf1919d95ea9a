namespace Omasgan.Stages;

/// <summary>What every stage's training loop shares: schedule and optimiser (Adam).</summary>
public abstract record StageOptions
{
    public const int DefaultBatchSize = 64;
    public const double DefaultLearningRate = 1e-3;

    /// <summary>Generator (or scorer) updates (0–10,000,000).</summary>
    public abstract int Steps { get; init; }

    /// <summary>Samples per batch on each side (2–65,536; default 64).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Adam learning rate ((0, 1]; default 1e-3).</summary>
    public double LearningRate { get; init; } = DefaultLearningRate;

    /// <summary>Adam β₁ ([0, 1)).</summary>
    public double AdamBeta1 { get; init; } = 0.5;

    /// <summary>Adam β₂ ([0, 1)).</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>Discriminator updates per generator update (1–100; default 1).</summary>
    public int DiscriminatorSteps { get; init; } = 1;

    /// <summary>Weight γ of the gradient penalty on real data ([0, 10⁶]; 0 turns it off).</summary>
    public abstract double GradientPenaltyWeight { get; init; }

    /// <summary>An option's name as messages give it, e.g. "BoundaryOptions.Steps".</summary>
    protected string Qualified(string option) => GetType().Name + "." + option;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public virtual void Validate()
    {
        OptionChecks.InRange(Steps, 0, 10_000_000, Qualified(nameof(Steps)));
        OptionChecks.InRange(BatchSize, 2, 65_536, Qualified(nameof(BatchSize)));
        OptionChecks.Positive(LearningRate, 1, Qualified(nameof(LearningRate)));
        OptionChecks.InRange(AdamBeta1, 0, 0.999999, Qualified(nameof(AdamBeta1)));
        OptionChecks.InRange(AdamBeta2, 0, 0.999999, Qualified(nameof(AdamBeta2)));
        OptionChecks.InRange(GradientPenaltyWeight, 0, 1e6, Qualified(nameof(GradientPenaltyWeight)));
        OptionChecks.InRange(DiscriminatorSteps, 1, 100, Qualified(nameof(DiscriminatorSteps)));
    }
}
