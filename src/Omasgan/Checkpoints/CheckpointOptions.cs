namespace Omasgan.Checkpoints;

/// <summary>Where and how often <see cref="Detection.OmasganTrainer"/> saves its progress.</summary>
public sealed record CheckpointOptions
{
    public const int DefaultInterval = 500;
    public const double DefaultRollbackLearningRateFactor = 0.5;

    /// <summary>Folder of the checkpoint (created when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>Steps between two checkpoints of a stage (1–10⁷); each stage also saves at its end.</summary>
    public int Interval { get; init; } = DefaultInterval;

    /// <summary>Continue from the checkpoint in <see cref="Directory"/> when there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// How often a diverged stage (NaN or infinite loss) may go back to the last checkpoint and go on
    /// with its learning rate times <see cref="RollbackLearningRateFactor"/> (0–100; 0: stop instead).
    /// </summary>
    public int Rollbacks { get; init; }

    /// <summary>Factor on the diverged stage's learning rate at each rollback ((0, 1)).</summary>
    public double RollbackLearningRateFactor { get; init; } = DefaultRollbackLearningRateFactor;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            throw new InvalidOptionException(nameof(Directory), "The checkpoint directory must be given.");
        OptionChecks.InRange(Interval, 1, 10_000_000, nameof(CheckpointOptions) + "." + nameof(Interval));
        OptionChecks.InRange(Rollbacks, 0, 100, nameof(CheckpointOptions) + "." + nameof(Rollbacks));
        OptionChecks.InRange(RollbackLearningRateFactor, 1e-6, 0.999999, nameof(CheckpointOptions) + "." + nameof(RollbackLearningRateFactor));
    }
}
