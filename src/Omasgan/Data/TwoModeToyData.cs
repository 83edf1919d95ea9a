using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>One mode of the toy mixture: each coordinate is centre + scale · Student-t(40).</summary>
public sealed record ToyMode(double CentreX, double CentreY, double Scale);

/// <summary>
/// The 2-D data of the paper's Section 5.1: two disconnected modes, and test anomalies off their
/// support (uniform in a box around the data, and in the gap between the modes).
/// </summary>
public sealed record TwoModeToyData
{
    public const int DefaultTrainingSize = 4096;
    public const double StudentDegreesOfFreedom = 40;

    /// <summary>Test anomalies are at least this many mode scales from every mode centre.</summary>
    public const double AnomalyMargin = 4;

    public IReadOnlyList<ToyMode> Modes { get; init; } = [new(1.5, 1.5, 0.15), new(4, 4, 0.25)];

    /// <summary><paramref name="count"/> points of the mixture, the modes equally likely.</summary>
    public Tensor SampleNormal(int count, Generator generator)
    {
        Tensor mode = randint(0, Modes.Count, [count], dtype: ScalarType.Int64, generator: generator);
        Tensor centres = tensor(Modes.SelectMany(m => new[] { (float)m.CentreX, (float)m.CentreY }).ToArray()).reshape(Modes.Count, 2);
        Tensor scales = tensor(Modes.Select(m => (float)m.Scale).ToArray());
        // Student-t: N(0, 1) / sqrt(χ²_ν / ν), with χ²_ν the sum of ν squared standard normals.
        Tensor normal = randn([count, 2], generator: generator);
        Tensor chiSquared = randn([count, 2, (long)StudentDegreesOfFreedom], generator: generator).square().sum(2);
        Tensor t = normal / (chiSquared / StudentDegreesOfFreedom).sqrt();
        return centres.index_select(0, mode) + scales.index_select(0, mode).unsqueeze(1) * t;
    }

    /// <summary>
    /// Anomalies: <paramref name="boxCount"/> points uniform in the data's box widened by <see cref="AnomalyMargin"/>
    /// of the largest scale on each side, then <paramref name="gapCount"/> points on the segments between mode
    /// centres; every point more than <see cref="AnomalyMargin"/> scales from every centre.
    /// </summary>
    public Tensor SampleAnomalies(int boxCount, int gapCount, Generator generator)
    {
        double pad = 2 * AnomalyMargin * Modes.Max(m => m.Scale);
        double minX = Modes.Min(m => m.CentreX) - pad, maxX = Modes.Max(m => m.CentreX) + pad;
        double minY = Modes.Min(m => m.CentreY) - pad, maxY = Modes.Max(m => m.CentreY) + pad;
        var points = new List<float>();
        Accept(boxCount, n =>
        {
            Tensor u = rand([n, 2], generator: generator);
            return stack([minX + (maxX - minX) * u[.., 0], minY + (maxY - minY) * u[.., 1]], 1);
        }, points);
        for (int pair = 0; pair + 1 < Modes.Count; pair++)
        {
            ToyMode a = Modes[pair], b = Modes[pair + 1];
            int share = gapCount / (Modes.Count - 1) + (pair < gapCount % (Modes.Count - 1) ? 1 : 0);
            Accept(share, n =>
            {
                Tensor u = rand([n, 1], generator: generator);
                Tensor start = tensor(new[] { (float)a.CentreX, (float)a.CentreY });
                Tensor end = tensor(new[] { (float)b.CentreX, (float)b.CentreY });
                return start + u * (end - start);
            }, points);
        }
        return tensor(points.ToArray()).reshape(-1, 2);
    }

    /// <summary>Whether each point (n, 2) lies more than <see cref="AnomalyMargin"/> scales from every mode centre.</summary>
    public Tensor IsOffSupport(Tensor points)
    {
        Tensor off = ones(points.shape[0], dtype: ScalarType.Bool);
        foreach (ToyMode m in Modes)
        {
            Tensor distance = (points - tensor(new[] { (float)m.CentreX, (float)m.CentreY })).square().sum(1).sqrt();
            off = off.logical_and(distance > AnomalyMargin * m.Scale);
        }
        return off;
    }

    private void Accept(int wanted, Func<int, Tensor> propose, List<float> accepted) =>
        OffSupportSampling.Accept(wanted, propose, IsOffSupport, accepted);
}
