using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>Per-feature standardisation, x′ = (x − mean) / std, with the training data's statistics.</summary>
public sealed record FeatureScaling(float[] Mean, float[] Std)
{
    /// <summary>
    /// A feature whose training standard deviation is at most this share of max(1, |mean|) counts as
    /// constant: it is centred but not scaled (std 1), so a new value off the training constant by δ
    /// moves the network's input by δ, not by δ divided by a near-zero std.
    /// </summary>
    public const double ConstantTolerance = 1e-6;

    /// <summary>
    /// The statistics of <paramref name="data"/> (n, ...sample shape), per element of a sample; with
    /// <paramref name="shared"/>, every element gets the same scale, the root of their mean variance, so
    /// the features keep their relative spread and the total variance is still one per feature.
    /// </summary>
    public static FeatureScaling Fit(Tensor data, bool shared = false)
    {
        using var scope = NewDisposeScope();
        Tensor flat = data.reshape(data.shape[0], -1).to_type(ScalarType.Float64);
        Tensor mean = flat.mean([0]), std = flat.std(0);
        if (shared)
            std = std.square().mean().sqrt().expand_as(std).contiguous();
        Tensor constant = std <= mean.abs().clamp_min(1) * ConstantTolerance;
        std = where(constant, ones_like(std), std);
        return new FeatureScaling(mean.to_type(ScalarType.Float32).data<float>().ToArray(), std.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    public Tensor Apply(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter((x - Shaped(Mean, x)) / Shaped(Std, x));
    }

    public Tensor Invert(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(x * Shaped(Std, x) + Shaped(Mean, x));
    }

    private static Tensor Shaped(float[] values, Tensor like) =>
        tensor(values, device: like.device).reshape(like.shape[1..]);
}
