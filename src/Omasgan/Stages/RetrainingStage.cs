using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>Stage 3 options: weights of the four terms of D′'s loss.</summary>
public sealed record RetrainingOptions : StageOptions
{
    public const int DefaultSteps = 4000;
    public const double DefaultGradientPenaltyWeight = 10.0;
    public const double DefaultAlpha = 0.3;
    public const double DefaultBeta = 1.0;
    public const double DefaultGammaBoundary = 0.7;
    public const double DefaultDelta = 0.4;

    public override int Steps { get; init; } = DefaultSteps;
    public override double GradientPenaltyWeight { get; init; } = DefaultGradientPenaltyWeight;

    /// <summary>α: weight of real data as positives ([0, 10⁶]).</summary>
    public double Alpha { get; init; } = DefaultAlpha;
    /// <summary>β: weight of G′'s own samples as negatives ([0, 10⁶]).</summary>
    public double Beta { get; init; } = DefaultBeta;
    /// <summary>γ_b: weight of boundary samples as negatives ([0, 10⁶]).</summary>
    public double GammaBoundary { get; init; } = DefaultGammaBoundary;
    /// <summary>δ: weight of Stage 1 samples as positives ([0, 10⁶]).</summary>
    public double Delta { get; init; } = DefaultDelta;

    public override void Validate()
    {
        base.Validate();
        foreach (var (name, value) in new[] { (nameof(Alpha), Alpha), (nameof(Beta), Beta), (nameof(GammaBoundary), GammaBoundary), (nameof(Delta), Delta) })
            OptionChecks.InRange(value, 0, 1e6, Qualified(name));
    }
}

/// <summary>
/// Stage 3: G′ and D′ (initialised from Stage 1) retrain with real data and Stage 1 samples as
/// positives and G′'s own samples and the boundary samples as negatives. G and B are frozen.
/// </summary>
public sealed class RetrainingStage(RetrainingOptions options)
{
    public RetrainingOptions Options { get; } = options;

    public void Train(StageContext context, nn.Module<Tensor, Tensor> stage1Generator, nn.Module<Tensor, Tensor> boundary,
        nn.Module<Tensor, Tensor> generator, nn.Module<Tensor, Tensor> discriminator)
    {
        Options.Validate();
        using var optimizerG = StageContext.Adam(generator, Options);
        using var optimizerD = StageContext.Adam(discriminator, Options);
        stage1Generator.eval();
        boundary.eval();
        generator.train();
        discriminator.train();
        int n = Options.BatchSize;
        for (int step = context.FirstStep(OmasganStage.Retraining, optimizerG, optimizerD); step <= Options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            Tensor lossD = StageContext.DiscriminatorUpdates(Options, () =>
            {
                Tensor stage1Samples = StageContext.SampleFrozen(stage1Generator, context.Latent(n));
                Tensor boundarySamples = context.SeenBoundary(StageContext.SampleFrozen(boundary, context.Latent(n)));
                Tensor ownSamples = StageContext.SampleFrozen(generator, context.Latent(n));
                Tensor loss = FGanStage.WithPenalty(context, discriminator, context.RealBatch(n), Options.GradientPenaltyWeight,
                    [stage1Samples, ownSamples, boundarySamples],
                    (onReal, on) => StageLosses.RetrainingDiscriminator(context.Objective, onReal, on[0], on[1], on[2],
                        Options.Alpha, Options.Beta, Options.GammaBoundary, Options.Delta));
                StageContext.Step(optimizerD, loss);
                return loss;
            });

            Tensor lossG = Options.Beta * StageLosses.FGanGenerator(context.Objective,
                discriminator.call(generator.call(context.Latent(n))));
            StageContext.Step(optimizerG, lossG);
            context.Report(OmasganStage.Retraining, step, Options.Steps, ("D'", lossD), ("G'", lossG));
            context.Completed(OmasganStage.Retraining, step, Options.Steps, optimizerG, optimizerD);
        }
    }
}
