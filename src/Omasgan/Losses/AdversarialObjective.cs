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

/// <summary>
/// The KL-WGAN objective (Song and Ermon, 2020): the hinge loss with the fake side re-weighted by
/// self-normalised importance weights w_i = exp(v_i/τ) / mean_j exp(v_j/τ) over the batch, computed
/// through log-sum-exp so that a huge v cannot overflow. The discriminator pays mean relu(1 − v) on
/// real batches and mean relu(1 + w·v) on fake ones; a generator pays −mean w·v. The weights are part
/// of the graph (not detached), as in the original. There is no f-divergence activation: the
/// gradient penalty, if any, is on v itself.
/// </summary>
/// <param name="Temperature">τ (the original's <c>kl_5</c> runs use 5).</param>
public sealed record KlWganObjective(double Temperature = KlWganObjective.DefaultTemperature) : IAdversarialObjective
{
    public const double DefaultTemperature = 5;

    /// <summary>w_i = exp(v_i/τ − (logsumexp_j(v_j/τ) − log n)): positive, summing to n over the batch.</summary>
    public Tensor Weights(Tensor v)
    {
        Tensor scaled = v / Temperature;
        return (scaled - (scaled.logsumexp(0) - Math.Log(v.shape[0]))).exp();
    }

    public Tensor RealTerm(Tensor onReal) => nn.functional.relu(1 - onReal).mean();

    public Tensor FakeTerm(Tensor onFake) => nn.functional.relu(1 + Weights(onFake) * onFake).mean();

    public Tensor GeneratorTerm(Tensor onFake) => -(Weights(onFake) * onFake).mean();

    public Tensor PenaltyOutput(Tensor v) => v.alias();
}

/// <summary>Which adversarial objective the stages play.</summary>
public enum AdversarialLoss
{
    /// <summary>The f-GAN objective of the options' f-divergence.</summary>
    FDivergence,
    /// <summary>The KL-WGAN weighted hinge loss (<see cref="KlWganObjective"/>).</summary>
    KlWgan,
}

public static class AdversarialObjectives
{
    /// <summary>The f-GAN objective of <paramref name="divergence"/>.</summary>
    public static IAdversarialObjective Objective(this Divergence divergence) => new FDivergenceObjective(divergence);
}
