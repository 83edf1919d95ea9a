namespace Omasgan.Stages;

/// <summary>The four stages of OMASGAN, in training order.</summary>
public enum OmasganStage
{
    /// <summary>Stage 1: f-GAN on normal data (G, D).</summary>
    FGan = 1,
    /// <summary>Stage 2: boundary generator B.</summary>
    Boundary = 2,
    /// <summary>Stage 3: G′, D′ retrained with boundary samples as negatives.</summary>
    Retraining = 3,
    /// <summary>Stage 4: the anomaly scorer S.</summary>
    Scorer = 4,
}

/// <summary>A snapshot of one stage's training, reported every few steps and at the last.</summary>
/// <param name="Losses">Named loss values at this step, e.g. "D" and "G".</param>
public sealed record StageProgress(OmasganStage Stage, int Step, int Steps, IReadOnlyDictionary<string, double> Losses);

/// <summary>Thrown when a loss becomes NaN or infinite; names the stage, step and loss.</summary>
public sealed class TrainingDivergedException(OmasganStage stage, int step, string loss, double value)
    : Exception($"Stage {(int)stage} ({stage}) diverged at step {step}: loss {loss} = {value}.")
{
    public OmasganStage Stage { get; } = stage;
    public int Step { get; } = step;
    public string Loss { get; } = loss;
}

public static class OmasganStageNames
{
    public static string Title(this OmasganStage stage) => stage switch
    {
        OmasganStage.FGan => "Stage 1 · f-GAN",
        OmasganStage.Boundary => "Stage 2 · boundary",
        OmasganStage.Retraining => "Stage 3 · retraining",
        OmasganStage.Scorer => "Stage 4 · scorer",
        _ => stage.ToString(),
    };
}
