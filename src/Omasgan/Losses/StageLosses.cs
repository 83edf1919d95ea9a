using Omasgan.Divergences;
using static TorchSharp.torch;

namespace Omasgan.Losses;

/// <summary>
/// The loss of each stage as a pure function of discriminator outputs (raw v). Real-side terms go
/// through T, fake-side terms through F*; see the method specification for the derivations.
/// </summary>
public static class StageLosses
{
    /// <summary>Stage 1/2 discriminator: mean F*(D(fake)) − mean T(D(x)).</summary>
    public static Tensor FGanDiscriminator(Divergence f, Tensor onReal, Tensor onFake) =>
        f.Conjugate(onFake).mean() - f.Activation(onReal).mean();

    /// <summary>Stage 1 generator (and Stage 3's G′ before its weight): −mean F*(D(G(z))).</summary>
    public static Tensor FGanGenerator(Divergence f, Tensor onFake) =>
        -f.Conjugate(onFake).mean();

    /// <summary>
    /// Stage 2 boundary generator: mean F*(D(B(z))) + μ·nearest-data distance + ν·scattering.
    /// </summary>
    public static Tensor BoundaryGenerator(Divergence f, Tensor onBoundary, Tensor nearestData, Tensor scattering,
        double mu, double nu) =>
        f.Conjugate(onBoundary).mean() + mu * nearestData + nu * scattering;

    /// <summary>
    /// Stage 3 discriminator D′: β·mean F*(D′(G′(z))) + γ_b·mean F*(D′(B(z))) − δ·mean T(D′(G(z))) − α·mean T(D′(x)).
    /// </summary>
    public static Tensor RetrainingDiscriminator(Divergence f, Tensor onReal, Tensor onStage1Samples,
        Tensor onOwnSamples, Tensor onBoundary, double alpha, double beta, double gammaBoundary, double delta) =>
        beta * f.Conjugate(onOwnSamples).mean()
        + gammaBoundary * f.Conjugate(onBoundary).mean()
        - delta * f.Activation(onStage1Samples).mean()
        - alpha * f.Activation(onReal).mean();

    /// <summary>
    /// Stage 4 scorer S: (1 − ζ)·mean F*(S(G′(z))) + ζ·mean F*(S(x)) − mean T(S(B(z))). The boundary
    /// samples are S's "real" side, so S(x) is high off the normal support.
    /// </summary>
    public static Tensor Scorer(Divergence f, Tensor onReal, Tensor onOwnSamples, Tensor onBoundary, double zeta) =>
        (1 - zeta) * f.Conjugate(onOwnSamples).mean()
        + zeta * f.Conjugate(onReal).mean()
        - f.Activation(onBoundary).mean();
}
