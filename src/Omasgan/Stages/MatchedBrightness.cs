using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>
/// Not in the original method: boundary samples as the stages see them when
/// <see cref="BoundaryOptions.MatchedBrightnessReference"/> is set. Each sample's offset from the
/// reference r (images: −1, the background) is rescaled to the training data's mean offset norm, then
/// clipped to the data's range: a boundary sample can no longer leave the data by being dimmer or
/// brighter than it, only by its shape.
/// </summary>
public sealed class MatchedBrightness
{
    private const long Chunk = 8192;
    private readonly double reference;
    private readonly double target;
    private readonly double low;
    private readonly double high;

    /// <summary>The brightness of <paramref name="data"/> (n, ...sample shape), measured from <paramref name="reference"/>.</summary>
    public MatchedBrightness(Tensor data, double reference)
    {
        this.reference = reference;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        long n = data.shape[0];
        if (n < 1)
            throw new ArgumentException("Matching the data's brightness needs at least one sample.", nameof(data));
        double sum = 0;
        for (long start = 0; start < n; start += Chunk)
            sum += (data.narrow(0, start, Math.Min(Chunk, n - start)).flatten(1) - reference).norm(1).to_type(ScalarType.Float64).sum().item<double>();
        target = sum / n;
        low = data.min().item<float>();
        high = data.max().item<float>();
    }

    /// <summary>The training data's mean offset norm from the reference.</summary>
    public double Target => target;

    /// <summary>The samples at the data's mean brightness, in the data's range (differentiable).</summary>
    public Tensor Apply(Tensor samples)
    {
        long[] shape = [.. samples.shape.Select((d, i) => i == 0 ? d : 1)];
        Tensor offsets = samples - reference;
        Tensor norms = offsets.flatten(1).norm(1, keepdim: true).clamp_min(1e-6).reshape(shape);
        return (offsets / norms * target + reference).clamp(low, high);
    }
}
