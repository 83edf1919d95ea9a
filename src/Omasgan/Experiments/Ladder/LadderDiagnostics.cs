using Omasgan.Losses;
using static TorchSharp.torch;

namespace Omasgan.Experiments.Ladder;

/// <summary>
/// Where a fitted detector's generators put their samples, in units of the data's own spacing
/// (so the numbers compare across dimensions). All distances Euclidean, in the data's space.
/// </summary>
/// <param name="NearestNeighbourDistance">m: median over training points of the distance to the nearest other training point.</param>
/// <param name="Stage1Coverage">90th percentile over training points of the distance to the nearest Stage 1 sample (as many samples as training points), over the same percentile of the nearest-other-training-point distance: about 1 when G covers the data like a fresh sample of it, large when parts of the data have no G samples near them.</param>
/// <param name="BoundaryOffset">median over boundary samples of the distance to the nearest training point, over m: about 1 or less means B sits on the data.</param>
/// <param name="AnomalyOffset">median over test anomalies of the distance to the nearest training point, over m: how far off the data the anomalies are.</param>
/// <param name="AnomalyToBoundary">median over anomalies of the distance to the nearest boundary sample, over the median distance to the nearest training point: below 1 when B reaches towards the anomalies, above 1 when B is further from them than the data is.</param>
public sealed record LadderDiagnostics(double NearestNeighbourDistance, double Stage1Coverage, double BoundaryOffset,
    double AnomalyOffset, double AnomalyToBoundary)
{
    /// <param name="stage1">samples of Stage 1's G, as many as training points.</param>
    /// <param name="boundary">samples of Stage 2's B.</param>
    public static LadderDiagnostics Compute(Tensor training, Tensor anomalies, Tensor stage1, Tensor boundary)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor dataNn = NearestOtherDistance(training);
        double m = Median(dataNn);
        double coverage = Nearest(training, stage1, 0.9) / Quantile(dataNn, 0.9);
        double anomalyToData = Nearest(anomalies, training, 0.5);
        return new LadderDiagnostics(m, coverage, Nearest(boundary, training, 0.5) / m, anomalyToData / m,
            Nearest(anomalies, boundary, 0.5) / anomalyToData);
    }

    /// <summary>Median over rows of <paramref name="points"/> of the distance to the nearest other row.</summary>
    public static double MedianNearestNeighbourDistance(Tensor points)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Median(NearestOtherDistance(points));
    }

    /// <summary>Per row, the distance to the nearest other row (chunks of rows at a time).</summary>
    internal static Tensor NearestOtherDistance(Tensor points, int chunk = 1024)
    {
        Tensor x = points.reshape(points.shape[0], -1).to_type(ScalarType.Float32);
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += chunk)
        {
            long count = Math.Min(chunk, x.shape[0] - start);
            Tensor squared = NearestDataDistance.SquaredDistances(x.narrow(0, start, count), x);
            // Each row's distance to itself is (about) 0: exclude it.
            Tensor self = arange(start, start + count, dtype: ScalarType.Int64).unsqueeze(1);
            squared = squared.scatter(1, self, full([count, 1], float.PositiveInfinity));
            parts.Add(squared.min(1).values.sqrt());
        }
        return cat(parts, 0);
    }

    /// <summary>The q-quantile over <paramref name="from"/> of the distance to the nearest row of <paramref name="to"/>.</summary>
    private static double Nearest(Tensor from, Tensor to, double q) =>
        ToyExperiment.NearestDistanceQuantile(from.to_type(ScalarType.Float32), to.to_type(ScalarType.Float32), q);

    private static double Median(Tensor values) => Quantile(values, 0.5);

    private static double Quantile(Tensor values, double q) => values.to_type(ScalarType.Float64).quantile(q).item<double>();
}
