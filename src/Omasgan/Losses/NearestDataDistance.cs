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
    /// <param name="dataSquaredNorms"><see cref="SquaredNorms"/> of <paramref name="data"/>, when the caller keeps them across calls (Stage 2 does).</param>
    public static Tensor PerSample(Tensor samples, Tensor data, bool squared, int chunkSize = 8192, Tensor? dataSquaredNorms = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        Tensor s = samples.reshape(samples.shape[0], -1);
        Tensor d = data.reshape(data.shape[0], -1).detach();
        if (s.shape[1] != d.shape[1])
            throw new ArgumentException($"Samples have {s.shape[1]} features but the data has {d.shape[1]}.");

        // Search for each sample's nearest row without a graph (the costly part), then compute the
        // distance to that row with one: min's gradient flows only through the row that attains
        // it, so value and gradient are those of the full minimum, at a fraction of the cost.
        // The search ranks ‖x_j‖² − 2 s·x_j, which differs from the squared distance by ‖s‖², the same for
        // every j: one fused matrix product per chunk, with the data's norms computed once, not per chunk.
        Tensor nearestRows;
        using (no_grad())
        {
            Tensor detached = s.detach();
            Tensor norms = dataSquaredNorms ?? SquaredNorms(d);
            if (norms.shape is not [var rows] || rows != d.shape[0])
                throw new ArgumentException($"{norms.shape.Length}-d norms of {norms.shape.FirstOrDefault()} rows do not fit data of {d.shape[0]} rows.", nameof(dataSquaredNorms));
            Tensor? best = null, bestIndex = null;
            for (long start = 0; start < d.shape[0]; start += chunkSize)
            {
                long count = Math.Min(chunkSize, d.shape[0] - start);
                Tensor chunk = d.narrow(0, start, count);
                var (values, indices) = addmm(norms.narrow(0, start, count).unsqueeze(0), detached, chunk.t(), beta: 1, alpha: -2).min(1);
                indices = indices + start;
                if (best is null || bestIndex is null)
                    (best, bestIndex) = (values, indices);
                else
                {
                    Tensor closer = values < best;
                    best = where(closer, values, best);
                    bestIndex = where(closer, indices, bestIndex);
                }
            }
            if (bestIndex is null)
                throw new ArgumentException("The data set is empty.", nameof(data));
            nearestRows = d.index_select(0, bestIndex);
        }
        Tensor nearest = (s - nearestRows).square().sum(1);
        // Clamp before the square root: its slope at 0 is infinite.
        return squared ? nearest : nearest.clamp_min(1e-12).sqrt();
    }

    /// <summary>The mean over samples of <see cref="PerSample"/>.</summary>
    public static Tensor Mean(Tensor samples, Tensor data, bool squared, int chunkSize = 8192, Tensor? dataSquaredNorms = null) =>
        PerSample(samples, data, squared, chunkSize, dataSquaredNorms).mean();

    /// <summary>‖x_j‖² of every row of <paramref name="data"/> (flattened), without a copy of the data.</summary>
    public static Tensor SquaredNorms(Tensor data)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(linalg.vector_norm(data.reshape(data.shape[0], -1), ord: 2, dims: [1]).square());
    }

    /// <summary>(n, m) squared Euclidean distances between rows of a and rows of b.</summary>
    internal static Tensor SquaredDistances(Tensor a, Tensor b) =>
        // ‖a‖² − 2a·b + ‖b‖², clamped at 0 against rounding; exact enough and one matrix product.
        (a.square().sum(1, keepdim: true) - 2 * a.matmul(b.t()) + b.square().sum(1).unsqueeze(0)).clamp_min(0);
}
