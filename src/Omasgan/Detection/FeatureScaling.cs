using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>Per-feature standardisation, x′ = (x − mean) / std, with the training data's statistics.</summary>
public sealed record FeatureScaling(float[] Mean, float[] Std)
{
    /// <summary>Smallest standard deviation used, so constant features do not divide by zero.</summary>
    public const float MinimumStd = 1e-6f;

    /// <summary>The statistics of <paramref name="data"/> (n, ...sample shape), per element of a sample.</summary>
    public static FeatureScaling Fit(Tensor data)
    {
        using var scope = NewDisposeScope();
        Tensor flat = data.reshape(data.shape[0], -1).to_type(ScalarType.Float64);
        float[] mean = flat.mean([0]).to_type(ScalarType.Float32).data<float>().ToArray();
        float[] std = flat.std(0).clamp_min(MinimumStd).to_type(ScalarType.Float32).data<float>().ToArray();
        return new FeatureScaling(mean, std);
    }

    public Tensor Apply(Tensor x) => (x - Shaped(Mean, x)) / Shaped(Std, x);

    public Tensor Invert(Tensor x) => x * Shaped(Std, x) + Shaped(Mean, x);

    private static Tensor Shaped(float[] values, Tensor like) =>
        tensor(values, device: like.device).reshape(like.shape[1..]);
}
