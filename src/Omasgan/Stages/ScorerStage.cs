using Omasgan.Divergences;
using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>Where the scorer's weights start.</summary>
public enum ScorerInitialization
{
    /// <summary>Fresh random weights.</summary>
    Fresh,
    /// <summary>
    /// Stage 3's D′ with its output negated: D′ is high on normal data, so −D′ already has the
    /// scorer's orientation and a shape that follows the data.
    /// </summary>
    NegatedStage3Discriminator,
}

/// <summary>Stage 4 options: the anomaly scorer S.</summary>
public sealed record ScorerOptions : StageOptions
{
    public const int DefaultSteps = 4000;
    public const double DefaultZeta = 0.5;

    public override int Steps { get; init; } = DefaultSteps;

    /// <summary>The specification's scorer loss has no penalty; set a weight to add one on real data.</summary>
    public override double GradientPenaltyWeight { get; init; }

    /// <summary>ζ: share of real data (vs G′'s samples) on the normal side ([0, 1]).</summary>
    public double Zeta { get; init; } = DefaultZeta;

    /// <summary>Where S's weights start (default: fresh).</summary>
    public ScorerInitialization Initialization { get; init; } = ScorerInitialization.Fresh;

    /// <summary>The scorer's own f-divergence; null uses the detector's.</summary>
    public Divergence? Divergence { get; init; }

    /// <summary>
    /// Not in the original method (default 0: off). The share of the scorer's anomalous side ([0, 0.95])
    /// taken by training samples moved in a random direction, x + <see cref="NoiseScale"/>·ε with
    /// ε ~ N(0, I), instead of boundary samples. Boundary samples lie in a few directions around the
    /// data, and a scorer trained on them alone ranks points off the data in the other directions by
    /// whatever slope it has there (inverted in the dimension ladder above d ≈ 8, docs/ladder.md);
    /// these samples ask S to rise away from the data in every direction.
    /// </summary>
    public double NoiseShare { get; init; }

    /// <summary>The standard deviation of <see cref="NoiseShare"/>'s moves, per feature of the networks' input (0–100; default 1: one standard deviation of standardised rows).</summary>
    public double NoiseScale { get; init; } = 1;

    public override void Validate()
    {
        base.Validate();
        OptionChecks.InRange(NoiseShare, 0, 0.95, Qualified(nameof(NoiseShare)));
        OptionChecks.InRange(NoiseScale, 1e-6, 100, Qualified(nameof(NoiseScale)));
        OptionChecks.InRange(Zeta, 0, 1, Qualified(nameof(Zeta)));
        OptionChecks.Defined(Initialization, Qualified(nameof(Initialization)));
        if (Divergence is { } d)
            OptionChecks.Defined(d, Qualified(nameof(Divergence)));
    }
}

/// <summary>
/// Stage 4: trains S with the boundary samples on one side and the normal side (real data and
/// G′'s samples) on the other. S(x) is the anomaly score: higher means more anomalous.
/// </summary>
public sealed class ScorerStage(ScorerOptions options)
{
    public ScorerOptions Options { get; } = options;

    public void Train(StageContext context, nn.Module<Tensor, Tensor> retrainedGenerator, nn.Module<Tensor, Tensor> boundary,
        nn.Module<Tensor, Tensor> scorer)
    {
        Options.Validate();
        using var optimizer = StageContext.Adam(scorer, Options);
        retrainedGenerator.eval();
        boundary.eval();
        scorer.train();
        int n = Options.BatchSize;
        StageContext own = Options.Divergence is { } d ? context.With(d.Objective()) : context;
        for (int step = context.FirstStep(OmasganStage.Scorer, optimizer); step <= Options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            Tensor ownSamples = StageContext.SampleFrozen(retrainedGenerator, context.Latent(n));
            Tensor boundarySamples = context.SeenBoundary(StageContext.SampleFrozen(boundary, context.Latent(n)));
            Tensor? moved = null;
            if (Options.NoiseShare > 0)
            {
                Tensor x = context.RealBatch(n);
                moved = x + Options.NoiseScale * randn_like(x);
            }
            Tensor loss = FGanStage.WithPenalty(own, scorer, context.RealBatch(n), Options.GradientPenaltyWeight,
                moved is null ? [ownSamples, boundarySamples] : [ownSamples, boundarySamples, moved],
                (onReal, on) => StageLosses.Scorer(own.Objective, onReal, on[0], on[1], Options.Zeta,
                    moved is null ? null : on[2], Options.NoiseShare));
            StageContext.Step(optimizer, loss);
            context.Report(OmasganStage.Scorer, step, Options.Steps, ("S", loss));
            context.Completed(OmasganStage.Scorer, step, Options.Steps, optimizer);
        }
    }
}
