using Omasgan.Losses;
using Omasgan.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>Stage 1 options: a standard f-GAN on normal data.</summary>
public sealed record FGanOptions : StageOptions
{
    public const int DefaultSteps = 4000;
    /// <summary>γ = 1, the original's value for 2-D data (it used 0.01 for images).</summary>
    public const double DefaultGradientPenaltyWeight = 1.0;

    public override int Steps { get; init; } = DefaultSteps;
    public override double GradientPenaltyWeight { get; init; } = DefaultGradientPenaltyWeight;

    /// <summary>
    /// Decay of an exponential moving average of G's weights ([0, 1); 0, the default, keeps none). With
    /// one, the stages after Stage 1 start from and sample the average (BigGAN's EMA; its value 0.9999).
    /// </summary>
    public double AverageDecay { get; init; }

    /// <summary>Steps during which the average copies G before it starts averaging (BigGAN's 1,000).</summary>
    public int AverageStart { get; init; } = 1000;

    public override void Validate()
    {
        base.Validate();
        OptionChecks.InRange(AverageDecay, 0, 0.999999, Qualified(nameof(AverageDecay)));
        OptionChecks.InRange(AverageStart, 0, 10_000_000, Qualified(nameof(AverageStart)));
    }
}

/// <summary>
/// Stage 1: learns the normal data with an f-GAN. D minimises mean F*(D(G(z))) − mean T(D(x)) + GP(x)
/// on a detached G(z); then G minimises −mean F*(D(G(z))).
/// </summary>
public sealed class FGanStage(FGanOptions options)
{
    public FGanOptions Options { get; } = options;

    /// <param name="average">where the moving average of G's weights is kept when <see cref="FGanOptions.AverageDecay"/> is positive.</param>
    public void Train(StageContext context, nn.Module<Tensor, Tensor> generator, nn.Module<Tensor, Tensor> discriminator,
        nn.Module<Tensor, Tensor>? average = null)
    {
        Options.Validate();
        if ((average is null) != (Options.AverageDecay == 0))
            throw new ArgumentException("A moving average of G needs both a decay and a network to keep it in.", nameof(average));
        TrainAdversarially(context, OmasganStage.FGan, Options, generator, discriminator, z =>
        {
            Tensor lossG = StageLosses.FGanGenerator(context.Objective, discriminator.call(generator.call(z)));
            return (lossG, [("G", lossG)]);
        }, average is null ? null : step => WeightAverage.Update(average, generator, step <= Options.AverageStart ? 0 : Options.AverageDecay));
    }

    /// <summary>
    /// The f-GAN loop of Stages 1 and 2: each step makes <see cref="StageOptions.DiscriminatorSteps"/>
    /// discriminator updates against the generator's samples, then one generator update on
    /// <paramref name="generatorLoss"/>(z), which also names the values to report. With
    /// <paramref name="trainDiscriminator"/> false the discriminator is held fixed (no updates, no
    /// gradients on its weights) and only the generator learns.
    /// </summary>
    internal static void TrainAdversarially(StageContext context, OmasganStage stage, StageOptions options,
        nn.Module<Tensor, Tensor> generator, nn.Module<Tensor, Tensor> discriminator,
        Func<Tensor, (Tensor Loss, (string Name, Tensor Value)[] Reported)> generatorLoss, Action<int>? afterGeneratorStep = null,
        Func<Tensor, Tensor>? seen = null, bool trainDiscriminator = true)
    {
        using var optimizerG = StageContext.Adam(generator, options);
        using var optimizerD = StageContext.Adam(discriminator, options);
        generator.train();
        discriminator.train();
        var weightsD = discriminator.parameters().ToArray();
        if (!trainDiscriminator)
            foreach (var w in weightsD) w.requires_grad_(false);
        try
        {
            for (int step = context.FirstStep(stage, optimizerG, optimizerD); step <= options.Steps; step++)
            {
                using var scope = NewDisposeScope();
                (string, Tensor)[] lossD = trainDiscriminator
                    ? [("D", DiscriminatorSteps(context, discriminator, optimizerD, generator, options, seen))] : [];
                var (lossG, reported) = generatorLoss(context.Latent(options.BatchSize));
                StageContext.Step(optimizerG, lossG);
                afterGeneratorStep?.Invoke(step);
                context.Report(stage, step, options.Steps, [.. lossD, .. reported]);
                context.Completed(stage, step, options.Steps, optimizerG, optimizerD);
            }
        }
        finally
        {
            if (!trainDiscriminator)
                foreach (var w in weightsD) w.requires_grad_(true);
        }
    }

    /// <summary>
    /// <see cref="StageOptions.DiscriminatorSteps"/> f-GAN discriminator updates against fresh samples of
    /// <paramref name="generator"/> (as <paramref name="seen"/> shows them, if given); returns the last loss.
    /// Shared by Stages 1 and 2.
    /// </summary>
    internal static Tensor DiscriminatorSteps(StageContext context, nn.Module<Tensor, Tensor> discriminator,
        optim.Optimizer optimizer, nn.Module<Tensor, Tensor> generator, StageOptions options, Func<Tensor, Tensor>? seen = null) =>
        StageContext.DiscriminatorUpdates(options, () =>
        {
            Tensor fake = StageContext.SampleFrozen(generator, context.Latent(options.BatchSize));
            return DiscriminatorStep(context, discriminator, optimizer, seen is null ? fake : seen(fake), options);
        });

    /// <summary>One f-GAN discriminator update against <paramref name="fake"/> (no gradient to its
    /// generator), with the gradient penalty on the real batch.</summary>
    internal static Tensor DiscriminatorStep(StageContext context, nn.Module<Tensor, Tensor> discriminator,
        optim.Optimizer optimizer, Tensor fake, StageOptions options)
    {
        Tensor real = context.RealBatch((int)fake.shape[0]);
        Tensor loss = WithPenalty(context, discriminator, real, options.GradientPenaltyWeight, [fake.detach()],
            (onReal, onFake) => StageLosses.FGanDiscriminator(context.Objective, onReal, onFake[0]));
        StageContext.Step(optimizer, loss);
        return loss;
    }

    /// <summary>
    /// Evaluates <paramref name="loss"/> on D(real) and D of each of <paramref name="others"/> (scored
    /// through <see cref="StageContext.Scores"/>), and adds the gradient penalty computed from the same
    /// forward pass when its weight is positive.
    /// </summary>
    internal static Tensor WithPenalty(StageContext context, nn.Module<Tensor, Tensor> discriminator, Tensor real,
        double penaltyWeight, Tensor[] others, Func<Tensor, Tensor[], Tensor> loss)
    {
        Tensor x = penaltyWeight > 0 ? real.detach().requires_grad_(true) : real;
        Tensor[] outputs = context.Scores(discriminator, [x, .. others]);
        Tensor value = loss(outputs[0], outputs[1..]);
        return penaltyWeight > 0 ? value + GradientPenalty.Compute(context.Objective, x, outputs[0], penaltyWeight) : value;
    }
}
