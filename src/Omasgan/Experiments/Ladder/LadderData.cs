using Omasgan.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Experiments.Ladder;

/// <summary>Which synthetic normal data a ladder rung uses.</summary>
public enum LadderVariant
{
    /// <summary>The 2-D experiment's two Student-t modes lifted to d dimensions; anomalies off their support.</summary>
    Modes,
    /// <summary>k Gaussian clusters, one left out as the anomalies (the leave-one-out benchmarks' structure).</summary>
    Clusters,
}

/// <summary>One rung's data: normal training points, held-out normal test points and test anomalies, each (n, d).</summary>
public sealed record LadderDataset(Tensor Training, Tensor NormalTest, Tensor Anomalies) : IDisposable
{
    public int Features => (int)Training.shape[1];

    /// <summary>The test points, normal first, and their anomaly flags.</summary>
    public (Tensor Points, bool[] IsAnomalous) Test() =>
        (cat([NormalTest, Anomalies], 0),
         [.. Enumerable.Repeat(false, (int)NormalTest.shape[0]), .. Enumerable.Repeat(true, (int)Anomalies.shape[0])]);

    public void Dispose()
    {
        Training.Dispose();
        NormalTest.Dispose();
        Anomalies.Dispose();
    }
}

/// <summary>One mode of <see cref="ModesLadderData"/>: each coordinate is centre + scale · Student-t(40).</summary>
public sealed record LadderMode(double Centre, double Scale);

/// <summary>
/// The 2-D experiment's data lifted to d dimensions: two disconnected modes centred at (c, …, c),
/// each coordinate Student-t(40) with the mode's scale; at d = 2 the modes of <see cref="Data.TwoModeToyData"/>.
/// Anomalies are uniform in the data's box widened as in 2-D, and on the segment between the centres,
/// every one more than <see cref="MarginScales"/> mode scales from every centre.
/// </summary>
public sealed record ModesLadderData
{
    public const double StudentDegreesOfFreedom = 40;

    /// <summary>The 2-D experiment's margin: anomalies at least 4 mode scales from every centre at d = 2.</summary>
    public const double AnomalyMargin2D = 4;

    /// <summary>Dimension d (1–4096).</summary>
    public int Dimension { get; init; } = 2;

    public IReadOnlyList<LadderMode> Modes { get; init; } = [new(1.5, 0.15), new(4, 0.25)];

    /// <summary>
    /// The anomalies' margin in mode scales: 4 √(d/2). A mode's points lie about scale · √d from its
    /// centre, so this is the 2-D experiment's margin at d = 2 and the same multiple (≈ 2.8) of the
    /// mode's typical radius in every d; a fixed 4 scales would put anomalies inside the modes from d ≈ 16 on.
    /// </summary>
    public double MarginScales => AnomalyMargin2D * Math.Sqrt(Dimension / 2.0);

    /// <summary><paramref name="count"/> points of the mixture, the modes equally likely.</summary>
    public Tensor SampleNormal(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor mode = randint(0, Modes.Count, [count], dtype: ScalarType.Int64, generator: generator);
        Tensor centres = tensor(Modes.Select(m => (float)m.Centre).ToArray());
        Tensor scales = tensor(Modes.Select(m => (float)m.Scale).ToArray());
        // Student-t: N(0, 1) / sqrt(χ²_ν / ν), with χ²_ν the sum of ν squared standard normals.
        Tensor normal = randn([count, Dimension], generator: generator);
        Tensor chiSquared = randn([count, Dimension, (long)StudentDegreesOfFreedom], generator: generator).square().sum(2);
        Tensor t = normal / (chiSquared / StudentDegreesOfFreedom).sqrt();
        return (centres.index_select(0, mode).unsqueeze(1) + scales.index_select(0, mode).unsqueeze(1) * t).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="boxCount"/> points uniform in the data's box widened by 2 · 4 of the largest scale on
    /// each side (as in 2-D), then <paramref name="gapCount"/> on the segments between consecutive centres;
    /// only points more than <see cref="MarginScales"/> scales from every centre are kept.
    /// </summary>
    public Tensor SampleAnomalies(int boxCount, int gapCount, Generator generator)
    {
        double pad = 2 * AnomalyMargin2D * Modes.Max(m => m.Scale);
        double min = Modes.Min(m => m.Centre) - pad, max = Modes.Max(m => m.Centre) + pad;
        var points = new List<float>();
        Accept(boxCount, n => min + (max - min) * rand([n, Dimension], generator: generator), points);
        for (int pair = 0; pair + 1 < Modes.Count; pair++)
        {
            LadderMode a = Modes[pair], b = Modes[pair + 1];
            int share = gapCount / (Modes.Count - 1) + (pair < gapCount % (Modes.Count - 1) ? 1 : 0);
            Accept(share, n => (a.Centre + rand([n, 1], generator: generator) * (b.Centre - a.Centre)).expand(n, Dimension), points);
        }
        return tensor(points.ToArray()).reshape(-1, Dimension);
    }

    /// <summary>Whether each point (n, d) lies more than <see cref="MarginScales"/> scales from every mode centre.</summary>
    public Tensor IsOffSupport(Tensor points)
    {
        Tensor off = ones(points.shape[0], dtype: ScalarType.Bool);
        foreach (LadderMode m in Modes)
        {
            Tensor distance = (points - (float)m.Centre).square().sum(1).sqrt();
            off = off.logical_and(distance > MarginScales * m.Scale);
        }
        return off;
    }

    private void Accept(int wanted, Func<int, Tensor> propose, List<float> accepted) =>
        OffSupportSampling.Accept(wanted, propose, IsOffSupport, accepted);
}

/// <summary>
/// k isotropic Gaussian clusters in d dimensions (each coordinate N(centre, <see cref="Std"/>²)) with random
/// centres rescaled so the two nearest centres are <see cref="Separation"/> cluster radii (Std · √d) apart.
/// The cluster <see cref="LeftOut"/> is the anomaly class, the others the normal data.
/// </summary>
public sealed record ClustersLadderData
{
    /// <summary>Dimension d (1–4096).</summary>
    public int Dimension { get; init; } = 2;

    /// <summary>Number of clusters k (2–100).</summary>
    public int Clusters { get; init; } = 5;

    /// <summary>Distance of the two nearest centres in cluster radii Std · √d.</summary>
    public double Separation { get; init; } = 3;

    /// <summary>Per-coordinate standard deviation of every cluster.</summary>
    public double Std { get; init; } = 1;

    /// <summary>The cluster held out as the anomalies (0 … k − 1).</summary>
    public int LeftOut { get; init; }

    /// <summary>(k, d) centres drawn from <paramref name="generator"/>.</summary>
    public Tensor Centres(Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor centres = randn([Clusters, Dimension], generator: generator, dtype: ScalarType.Float64);
        Tensor distances = cdist(centres, centres) + eye(Clusters, dtype: ScalarType.Float64) * double.MaxValue;
        double nearest = distances.min().item<double>();
        double wanted = Separation * Std * Math.Sqrt(Dimension);
        return (centres * (wanted / nearest)).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="count"/> points of the kept clusters (all but <see cref="LeftOut"/>), equally likely.</summary>
    public Tensor SampleKept(Tensor centres, int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor kept = tensor(Enumerable.Range(0, Clusters).Where(c => c != LeftOut).Select(c => (long)c).ToArray());
        Tensor which = kept.index_select(0, randint(0, kept.shape[0], [count], dtype: ScalarType.Int64, generator: generator));
        return Sample(centres, which, generator).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="count"/> points of the left-out cluster.</summary>
    public Tensor SampleLeftOut(Tensor centres, int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        return Sample(centres, full([count], LeftOut, dtype: ScalarType.Int64), generator).MoveToOuterDisposeScope();
    }

    /// <summary>Index of each point's nearest centre.</summary>
    public static Tensor NearestCentre(Tensor points, Tensor centres) => cdist(points, centres).argmin(1);

    private Tensor Sample(Tensor centres, Tensor which, Generator generator) =>
        centres.index_select(0, which) + (float)Std * randn([which.shape[0], Dimension], generator: generator);
}

/// <summary>
/// A fixed random linear map from d into D ≥ d dimensions with orthonormal columns (distances are kept),
/// plus independent N(0, NoiseStd²) noise on each of the D coordinates of every mapped point.
/// </summary>
public sealed class RandomEmbedding : IDisposable
{
    /// <summary>(D, d) map with orthonormal columns.</summary>
    public Tensor Map { get; }
    public double NoiseStd { get; }

    /// <param name="generator">draws the map; the same generator state gives the same map.</param>
    public RandomEmbedding(int from, int to, double noiseStd, Generator generator)
    {
        if (to < from)
            throw new ArgumentException($"The embedding dimension ({to}) must be at least the data's ({from}).");
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(randn([to, from], generator: generator, dtype: ScalarType.Float64));
        Map = q.to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
        NoiseStd = noiseStd;
    }

    /// <summary>Points (n, d) mapped to (n, D), with fresh noise from <paramref name="generator"/>.</summary>
    public Tensor Apply(Tensor points, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor mapped = points.matmul(Map.t());
        if (NoiseStd > 0)
            mapped = mapped + (float)NoiseStd * randn(mapped.shape, generator: generator);
        return mapped.MoveToOuterDisposeScope();
    }

    public void Dispose() => Map.Dispose();
}
