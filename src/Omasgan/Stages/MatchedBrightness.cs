using static TorchSharp.torch;

namespace Omasgan.Stages;

/// <summary>
/// Not in the original method: boundary samples as the stages see them when
/// <see cref="BoundaryOptions.MatchedBrightnessReference"/> is set. Each sample's offset from the
/// reference r (images: −1, the background) is rescaled to the offset norm of a training sample drawn
/// at random, then clipped to the data's range: the boundary samples' brightness is distributed as the
/// data's, so a boundary sample can no longer leave the data by being dimmer or brighter, only by its shape.
/// </summary>
public sealed class MatchedBrightness : IDisposable
{
    private const long Chunk = 8192;
    private readonly double reference;
    private readonly Tensor norms;
    private readonly double low;
    private readonly double high;

    /// <summary>The brightness of each of <paramref name="data"/>'s samples (n, ...sample shape), measured from <paramref name="reference"/>.</summary>
    public MatchedBrightness(Tensor data, double reference)
    {
        long n = data.shape[0];
        if (n < 1)
            throw new ArgumentException("Matching the data's brightness needs at least one sample.", nameof(data));
        this.reference = reference;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += Chunk)
            parts.Add((data.narrow(0, start, Math.Min(Chunk, n - start)).flatten(1) - reference).norm(1));
        norms = scope.MoveToOuter(cat(parts));
        low = data.min().item<float>();
        high = data.max().item<float>();
    }

    /// <summary>The training samples' offset norms from the reference, in the data's order.</summary>
    public Tensor Norms => norms;

    /// <summary>The samples, each at the brightness of a training sample drawn at random, in the data's range (differentiable).</summary>
    public Tensor Apply(Tensor samples)
    {
        long n = samples.shape[0];
        long[] shape = [.. samples.shape.Select((d, i) => i == 0 ? d : 1)];
        Tensor target = norms.index_select(0, randint(0, norms.shape[0], [n], dtype: ScalarType.Int64, device: norms.device));
        Tensor offsets = samples - reference;
        Tensor own = offsets.flatten(1).norm(1).clamp_min(1e-6);
        return (offsets * (target / own).reshape(shape) + reference).clamp(low, high);
    }

    public void Dispose() => norms.Dispose();
}
