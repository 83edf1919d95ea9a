using Omasgan.Detection;
using Omasgan.Stages;

namespace Omasgan.Experiments;

/// <summary>The 2-D experiment's settings: what differs from the library defaults, with the reason.</summary>
public static class ToyDefaults
{
    public static OmasganOptions Detector { get; } = new()
    {
        LatentDim = 2,
        FGan = new FGanOptions(),
        Boundary = new BoundaryOptions
        {
            // The 2-D experiment uses squared distances; μ large enough to hold B next to the data.
            SquaredDistances = true,
            NearestDataWeight = 20,
            ScatteringWeight = 1,
        },
        Retraining = new RetrainingOptions(),
        Scorer = new ScorerOptions(),
    };
}
