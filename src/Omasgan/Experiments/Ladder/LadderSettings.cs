using Omasgan.Detection;
using Omasgan.Stages;

namespace Omasgan.Experiments.Ladder;

/// <summary>
/// The unit in which one of Stage 2's distance terms is measured as the dimension grows: the weights
/// μ and ν are given for d = 2 and rescaled per rung as if that term's data-space distances were
/// divided by the unit s: the nearest-data term's μ′ = μ / s^p, the scattering term's (whose data
/// distances are in the denominator) ν′ = ν · s^p (p = 2 with squared distances, else 1).
/// </summary>
public enum DistanceUnit
{
    /// <summary>s = 1: μ and ν as given at every d (the library's behaviour).</summary>
    None,
    /// <summary>s = m / m₂: the training data's median nearest-neighbour distance (in the space the detector trains in) relative to the 2-D rung's.</summary>
    NearestNeighbour,
    /// <summary>s = √(d/2): how a fixed per-coordinate offset grows with d.</summary>
    SqrtDimension,
    /// <summary>
    /// s = √(m / m₂): with squared distances, μ′ = μ · m₂ / m. B settles where the nearest-data term's slope,
    /// 2μ · (offset), balances the discriminator's; for an offset of a fixed number of nearest-neighbour
    /// distances m that asks for μ ∝ 1/m, not the 1/m² of <see cref="NearestNeighbour"/>.
    /// </summary>
    NearestNeighbourRoot,
}

/// <summary>Named OMASGAN settings for the ladder, and the per-rung rules that depend on the data.</summary>
public static class LadderSettings
{
    public const string Toy = "toy";
    public const string Paper = "paper";
    public const string Default = Toy;

    public static IReadOnlyList<string> Names { get; } = [Toy, Paper];

    /// <summary>
    /// m₂ for <see cref="DistanceUnit.NearestNeighbour"/>: the median nearest-neighbour distance of
    /// 4,096 standardised points of the 2-D two-mode data (the d = 2 <c>modes</c> rung; seeds 1–3 give
    /// 0.00606–0.00621), so that at d = 2 the toy's μ and ν are unchanged.
    /// </summary>
    public const double ReferenceNearestNeighbourDistance = 0.0061;

    /// <summary>
    /// The settings <paramref name="name"/>:
    /// <list type="bullet">
    /// <item><c>toy</c>: the 2-D experiment's (<see cref="ToyDefaults.Detector"/>) lifted to d dimensions —
    /// the latent size follows the feature count, as the toy's 2 did (so the MLP generator keeps adding z to
    /// its output) — with shorter stages so that the d ≤ 16 rungs of one variant and three seeds take a few
    /// minutes on two cores: Stage 1 1,500 steps (×5 D updates; the toy's 4,000 take 28 of its 37 s),
    /// Stage 2 500 (the toy's), Stage 3 500, Stage 4 1,500.</item>
    /// <item><c>paper</c>: the library defaults (the specification's: Pearson χ², μ = 0.2, ν = 0.3,
    /// 4,000 steps per stage, fresh scorer with ζ = 0.5) on the MLP networks.</item>
    /// </list>
    /// </summary>
    public static OmasganOptions Get(string name) => name switch
    {
        Toy => ToyDefaults.Detector with
        {
            LatentDim = null,
            FGan = ToyDefaults.Detector.FGan with { Steps = 1500 },
            Retraining = ToyDefaults.Detector.Retraining with { Steps = 500 },
            Scorer = ToyDefaults.Detector.Scorer with { Steps = 1500 },
        },
        Paper => new OmasganOptions(),
        _ => throw new ArgumentException($"Unknown settings '{name}'; use one of: {string.Join(", ", Names)}."),
    };

    /// <summary>The unit s of <paramref name="unit"/> for a rung (see <see cref="DistanceUnit"/>).</summary>
    /// <param name="nearestNeighbourDistance">the training data's median nearest-neighbour distance, in the space the detector trains in.</param>
    public static double UnitScale(DistanceUnit unit, int features, double nearestNeighbourDistance) => unit switch
    {
        DistanceUnit.None => 1,
        DistanceUnit.NearestNeighbour => nearestNeighbourDistance / ReferenceNearestNeighbourDistance,
        DistanceUnit.SqrtDimension => Math.Sqrt(features / 2.0),
        DistanceUnit.NearestNeighbourRoot => Math.Sqrt(nearestNeighbourDistance / ReferenceNearestNeighbourDistance),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, null),
    };

    /// <summary>
    /// <paramref name="options"/> with Stage 2's μ rescaled for nearest-data distances in the unit
    /// <paramref name="nearestScale"/> and ν for scattering distances in the unit <paramref name="scatteringScale"/>.
    /// </summary>
    public static OmasganOptions WithDistanceUnits(OmasganOptions options, double nearestScale, double scatteringScale)
    {
        BoundaryOptions b = options.Boundary;
        double p = b.SquaredDistances ? 2 : 1;
        return options with
        {
            Boundary = b with
            {
                NearestDataWeight = Math.Min(1e6, b.NearestDataWeight / Math.Pow(nearestScale, p)),
                ScatteringWeight = Math.Min(1e6, b.ScatteringWeight * Math.Pow(scatteringScale, p)),
            },
        };
    }
}
