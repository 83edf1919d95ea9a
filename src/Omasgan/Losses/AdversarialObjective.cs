using Omasgan.Divergences;
using static TorchSharp.torch;

namespace Omasgan.Losses;

/// <summary>
/// The adversarial game of every stage, over whole batches of a discriminator's raw outputs v: what
/// the discriminator pays on a batch it should call real, on a batch it should call fake, and what a
/// generator pays on its own batch. Batch-level, so an objective may weight samples by the whole batch
/// (as the KL-WGAN loss does with self-normalised importance weights).
/// </summary>
public interface IAdversarialObjective
{
    /// <summary>The discriminator's loss on a batch it should call real (f-GAN: −mean T(v)).</summary>
    Tensor RealTerm(Tensor onReal);

    /// <summary>The discriminator's loss on a batch it should call fake (f-GAN: mean F*(v)).</summary>
    Tensor FakeTerm(Tensor onFake);

    /// <summary>A generator's loss on the discriminator's outputs for its batch (f-GAN: −mean F*(v)).</summary>
    Tensor GeneratorTerm(Tensor onFake);

    /// <summary>The per-sample output whose input gradient the gradient penalty measures (f-GAN: T(v)).</summary>
    Tensor PenaltyOutput(Tensor v);
}

/// <summary>The variational f-GAN objective of one of the seven f-divergences (Nowozin et al., 2016).</summary>
public sealed record FDivergenceObjective(Divergence Divergence) : IAdversarialObjective
{
    public Tensor RealTerm(Tensor onReal) => -Divergence.Activation(onReal).mean();

    public Tensor FakeTerm(Tensor onFake) => Divergence.Conjugate(onFake).mean();

    public Tensor GeneratorTerm(Tensor onFake) => -Divergence.Conjugate(onFake).mean();

    public Tensor PenaltyOutput(Tensor v) => Divergence.Activation(v);
}

public static class AdversarialObjectives
{
    /// <summary>The f-GAN objective of <paramref name="divergence"/>.</summary>
    public static IAdversarialObjective Objective(this Divergence divergence) => new FDivergenceObjective(divergence);
}
