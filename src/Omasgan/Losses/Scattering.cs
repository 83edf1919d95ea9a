using static TorchSharp.torch;

namespace Omasgan.Losses;

/// <summary>
/// mean_{i≠j} ‖z_i − z_j‖ / (‖s_i − s_j‖ + ε): small when distinct latents give distinct samples.
/// Averages over every ordered pair i ≠ j (the original kept only the first row).
/// With a shape reference r (not in the original), the samples' distances are measured after each
/// sample's offset from r is rescaled to the batch's mean offset norm: samples that differ only by a
/// factor on s − r (for images with r the darkest value, only in brightness) count as one sample.
/// </summary>
public static class Scattering
{
    public const double DefaultEpsilon = 1e-6;

    public static Tensor Compute(Tensor latents, Tensor samples, bool squared, double epsilon = DefaultEpsilon, double? shapeReference = null)
    {
        long n = latents.shape[0];
        if (n < 2)
            throw new ArgumentException("The scattering term needs at least two samples.", nameof(latents));
        if (samples.shape[0] != n)
            throw new ArgumentException("Latents and samples must have the same number of rows.");
        Tensor z = latents.reshape(n, -1);
        Tensor s = samples.reshape(n, -1);
        if (shapeReference is double r)
        {
            Tensor offsets = s - r;
            Tensor norms = offsets.norm(1, keepdim: true).clamp_min(1e-12);
            // The common scale is a constant of the step: B's gradient moves shapes, not the batch's scale.
            s = offsets / norms * norms.mean().detach();
        }
        Tensor zDist = NearestDataDistance.SquaredDistances(z, z);
        Tensor sDist = NearestDataDistance.SquaredDistances(s, s);
        if (!squared)
        {
            zDist = zDist.clamp_min(1e-12).sqrt();
            sDist = sDist.clamp_min(1e-12).sqrt();
        }
        Tensor offDiagonal = ones(n, n, dtype: ScalarType.Bool, device: s.device) ^ eye(n, dtype: ScalarType.Bool, device: s.device);
        Tensor ratios = zDist / (sDist + epsilon);
        return ratios.masked_select(offDiagonal).mean();
    }
}
