using Omasgan.Detection;
using Omasgan.Networks;
using Omasgan.Stages;

namespace Omasgan.Experiments;

/// <summary>
/// Detector settings for 32×32 images. The presets differ only in values: <c>paper</c> has the
/// original's network sizes and the library's default schedule; <c>cpu</c> is sized so that one
/// Fashion-MNIST leave-one-out fold (four stages on 54,000 images, then scoring the 10,000 test
/// images) takes well under 10 minutes on 2 CPU cores.
/// </summary>
public static class ImagePresets
{
    public const string Paper = "paper";
    public const string Cpu = "cpu";
    public const string Default = Cpu;

    public static IReadOnlyList<string> Names { get; } = [Cpu, Paper];

    /// <summary>What every image preset shares: the original's image settings.</summary>
    private static OmasganOptions Images(double width) => new()
    {
        // Images are scaled to [−1, 1] (the generator ends in tanh); per-pixel standardisation
        // would blow up the always-black border pixels of digit and clothing images.
        Standardize = false,
        LatentDim = 100,
        Architecture = new DcganArchitecture { WidthMultiplier = width },
        // γ = 0.01 for images in the original.
        FGan = new FGanOptions { GradientPenaltyWeight = 0.01 },
        Boundary = new BoundaryOptions { GradientPenaltyWeight = 0.01 },
    };

    /// <summary>The preset named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">no preset has that name.</exception>
    public static OmasganOptions Get(string name) => name.ToLowerInvariant() switch
    {
        Paper => Images(width: 1),
        Cpu => CpuPreset,
        _ => throw new ArgumentException($"Unknown preset '{name}'; use one of: {string.Join(", ", Names)}."),
    };

    // Measured with `omasgan loo --dataset fashion-mnist --preset cpu` (see the README for the
    // per-step times behind these sizes).
    private static OmasganOptions CpuPreset
    {
        get
        {
            OmasganOptions o = Images(width: 0.25);
            return o with
            {
                FGan = o.FGan with { Steps = 2000 },
                Boundary = o.Boundary with { Steps = 300 },
                Retraining = o.Retraining with { Steps = 600 },
                Scorer = o.Scorer with { Steps = 600 },
            };
        }
    }
}
