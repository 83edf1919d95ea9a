using static TorchSharp.torch;

namespace Omasgan.Losses;

/// <summary>
/// The loss of each stage as a pure function of discriminator outputs (raw v), written with the
/// batch terms of an <see cref="IAdversarialObjective"/>; for an f-divergence the real-side terms go
/// through T and the fake-side terms through F* (see the method specification for the derivations).
/// </summary>
public static class StageLosses
{
    /// <summary>Stage 1/2 discriminator: fake term on G(z) + real term on x (f-GAN: mean F*(D(fake)) − mean T(D(x))).</summary>
    public static Tensor FGanDiscriminator(IAdversarialObjective f, Tensor onReal, Tensor onFake) =>
        f.FakeTerm(onFake) + f.RealTerm(onReal);

    /// <summary>Stage 1 generator (and Stage 3's G′ before its weight): f-GAN −mean F*(D(G(z))).</summary>
    public static Tensor FGanGenerator(IAdversarialObjective f, Tensor onFake) => f.GeneratorTerm(onFake);

    /// <summary>
    /// Stage 2 boundary generator: the generator's game reversed, plus μ·nearest-data distance + ν·scattering
    /// (f-GAN: mean F*(D(B(z))) + μ·… + ν·…).
    /// </summary>
    public static Tensor BoundaryGenerator(IAdversarialObjective f, Tensor onBoundary, Tensor nearestData, Tensor scattering,
        double mu, double nu) =>
        -f.GeneratorTerm(onBoundary) + mu * nearestData + nu * scattering;

    /// <summary>
    /// Stage 3 discriminator D′: β·fake(G′(z)) + γ_b·fake(B(z)) + δ·real(G(z)) + α·real(x)
    /// (f-GAN: β·mean F*(D′(G′(z))) + γ_b·mean F*(D′(B(z))) − δ·mean T(D′(G(z))) − α·mean T(D′(x))).
    /// </summary>
    public static Tensor RetrainingDiscriminator(IAdversarialObjective f, Tensor onReal, Tensor onStage1Samples,
        Tensor onOwnSamples, Tensor onBoundary, double alpha, double beta, double gammaBoundary, double delta) =>
        beta * f.FakeTerm(onOwnSamples)
        + gammaBoundary * f.FakeTerm(onBoundary)
        + delta * f.RealTerm(onStage1Samples)
        + alpha * f.RealTerm(onReal);

    /// <summary>
    /// Stage 4 scorer S: (1 − ζ)·fake(G′(z)) + ζ·fake(x) + real(B(z)) (f-GAN: (1 − ζ)·mean F*(S(G′(z))) +
    /// ζ·mean F*(S(x)) − mean T(S(B(z)))). The boundary samples are S's "real" side, so S(x) is high off
    /// the normal support.
    /// </summary>
    /// <param name="onMoved">S on training samples moved in random directions, which take a share <paramref name="movedShare"/> of the anomalous side (null: none).</param>
    public static Tensor Scorer(IAdversarialObjective f, Tensor onReal, Tensor onOwnSamples, Tensor onBoundary, double zeta,
        Tensor? onMoved = null, double movedShare = 0)
    {
        Tensor normalSide = (1 - zeta) * f.FakeTerm(onOwnSamples) + zeta * f.FakeTerm(onReal);
        return onMoved is null
            ? normalSide + f.RealTerm(onBoundary)
            : normalSide + (1 - movedShare) * f.RealTerm(onBoundary) + movedShare * f.RealTerm(onMoved);
    }
}
