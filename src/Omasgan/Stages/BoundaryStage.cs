using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>Stage 2 options: the boundary generator's weights μ and ν are the main knobs.</summary>
public sealed record BoundaryOptions : StageOptions
{
    public const int DefaultSteps = 4000;
    public const double DefaultGradientPenaltyWeight = 1.0;
    /// <summary>μ of the original's f-GAN image model (its KLWGAN model used 20).</summary>
    public const double DefaultNearestDataWeight = 0.2;
    /// <summary>ν of the original's f-GAN image model (its KLWGAN model used 50).</summary>
    public const double DefaultScatteringWeight = 0.3;
    public const int DefaultNearestDataChunk = 8192;

    public override int Steps { get; init; } = DefaultSteps;
    public override double GradientPenaltyWeight { get; init; } = DefaultGradientPenaltyWeight;

    /// <summary>μ: weight of the nearest-data distance that keeps B next to the data ([0, 10⁶]).</summary>
    public double NearestDataWeight { get; init; } = DefaultNearestDataWeight;

    /// <summary>ν: weight of the scattering term that spreads B's samples ([0, 10⁶]).</summary>
    public double ScatteringWeight { get; init; } = DefaultScatteringWeight;

    /// <summary>Use squared Euclidean distances in both terms (the 2-D experiment does).</summary>
    public bool SquaredDistances { get; init; }

    /// <summary>
    /// Not in the original method. When set, the scattering term compares B's samples by shape: each
    /// sample's offset from this value is rescaled to the batch's mean before the distances, so samples
    /// that differ only in brightness do not count as spread. Images use −1, the generators' darkest
    /// output. Null (the default): plain distances, as the original.
    /// </summary>
    public double? ScatteringShapeReference { get; init; }

    /// <summary>
    /// Not in the original method. When set, Stages 2–4 see B's samples at the brightness of training
    /// samples drawn at random, measured from this value (images: −1, the background; <see cref="MatchedBrightness"/>),
    /// so that B cannot leave the data by dimming it. The saved B draws as trained; its pictures show
    /// its samples as drawn. Null (the default): as drawn, as the original.
    /// </summary>
    public double? MatchedBrightnessReference { get; init; }

    /// <summary>
    /// Not in the original method. When set, Stage 2 keeps the discriminator as Stage 1 left it: B
    /// moves towards where that fixed D says "fake", and D does not learn B's samples as fakes. False
    /// (the default): D keeps learning with B(z) as its fakes, as the original.
    /// </summary>
    public bool FrozenDiscriminator { get; init; }

    /// <summary>Rows of the normal set compared at once in the nearest-data term (1–10⁷).</summary>
    public int NearestDataChunk { get; init; } = DefaultNearestDataChunk;

    public override void Validate()
    {
        base.Validate();
        OptionChecks.InRange(NearestDataWeight, 0, 1e6, Qualified(nameof(NearestDataWeight)));
        OptionChecks.InRange(ScatteringWeight, 0, 1e6, Qualified(nameof(ScatteringWeight)));
        if (ScatteringShapeReference is double r)
            OptionChecks.InRange(r, -1e6, 1e6, Qualified(nameof(ScatteringShapeReference)));
        if (MatchedBrightnessReference is double m)
            OptionChecks.InRange(m, -1e6, 1e6, Qualified(nameof(MatchedBrightnessReference)));
        OptionChecks.InRange(NearestDataChunk, 1, 10_000_000, Qualified(nameof(NearestDataChunk)));
    }
}

/// <summary>
/// Stage 2: trains the boundary generator B (initialised from Stage 1's G) to leave the data
/// (maximise the divergence) while staying next to it and keeping its samples distinct; the
/// discriminator (continued from Stage 1) keeps learning with B(z) as its fakes, unless
/// <see cref="BoundaryOptions.FrozenDiscriminator"/> holds it fixed.
/// </summary>
public sealed class BoundaryStage(BoundaryOptions options)
{
    public BoundaryOptions Options { get; } = options;

    public void Train(StageContext context, nn.Module<Tensor, Tensor> boundary, nn.Module<Tensor, Tensor> discriminator)
    {
        Options.Validate();
        using Tensor norms = NearestDataDistance.SquaredNorms(context.Data);
        FGanStage.TrainAdversarially(context, OmasganStage.Boundary, Options, boundary, discriminator, z =>
        {
            Tensor samples = context.SeenBoundary(boundary.call(z));
            Tensor nearest = NearestDataDistance.Mean(samples, context.Data, Options.SquaredDistances, Options.NearestDataChunk, norms);
            Tensor scattering = Scattering.Compute(z, samples, Options.SquaredDistances, shapeReference: Options.ScatteringShapeReference);
            Tensor lossB = StageLosses.BoundaryGenerator(context.Objective, discriminator.call(samples), nearest, scattering,
                Options.NearestDataWeight, Options.ScatteringWeight);
            return (lossB, [("B", lossB), ("nearest", nearest), ("scatter", scattering)]);
        }, seen: context.SeenBoundary, trainDiscriminator: !Options.FrozenDiscriminator);
    }
}
