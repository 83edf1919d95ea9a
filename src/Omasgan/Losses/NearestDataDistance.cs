using static TorchSharp.torch;

namespace Omasgan.Losses;

/// <summary>
/// mean_i min_j d(s_i, x_j): how far each sample is from its nearest normal training point, over
/// the whole normal set, computed in chunks of the data so memory stays bounded as the set grows.
/// </summary>
public static class NearestDataDistance
{
    /// <summary>Per-sample distance to the nearest data point (Euclidean, or squared Euclidean).</summary>
    /// <param name="samples">(n, ...) samples; flattened per row.</param>
    /// <param name="data">(m, ...) normal data; flattened per row; no gradient flows into it.</param>
    /// <param name="chunkSize">rows of <paramref name="data"/> compared at a time.</param>
    public static Tensor PerSample(Tensor samples, Tensor data, bool squared, int chunkSize = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        Tensor s = samples.reshape(samples.shape[0], -1);
        Tensor d = data.reshape(data.shape[0], -1).detach();
        if (s.shape[1] != d.shape[1])
            throw new ArgumentException($"Samples have {s.shape[1]} features but the data has {d.shape[1]}.");

        Tensor? nearest = null;
        for (long start = 0; start < d.shape[0]; start += chunkSize)
        {
            Tensor chunk = d.narrow(0, start, Math.Min(chunkSize, d.shape[0] - start));
            Tensor chunkNearest = SquaredDistances(s, chunk).min(1).values;
            nearest = nearest is null ? chunkNearest : minimum(nearest, chunkNearest);
        }
        if (nearest is null)
            throw new ArgumentException("The data set is empty.", nameof(data));
        // Clamp before the square root: its slope at 0 is infinite.
        return squared ? nearest : nearest.clamp_min(1e-12).sqrt();
    }

    /// <summary>The mean over samples of <see cref="PerSample"/>.</summary>
    public static Tensor Mean(Tensor samples, Tensor data, bool squared, int chunkSize = 8192) =>
        PerSample(samples, data, squared, chunkSize).mean();

    /// <summary>(n, m) squared Euclidean distances between rows of a and rows of b.</summary>
    internal static Tensor SquaredDistances(Tensor a, Tensor b) =>
        // ‖a‖² − 2a·b + ‖b‖², clamped at 0 against rounding; exact enough and one matrix product.
        (a.square().sum(1, keepdim: true) - 2 * a.matmul(b.t()) + b.square().sum(1).unsqueeze(0)).clamp_min(0);
}
