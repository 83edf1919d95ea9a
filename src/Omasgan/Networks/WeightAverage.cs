using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Networks;

/// <summary>An exponential moving average of a network's weights (BigGAN's EMA of G), kept in a second network of the same architecture.</summary>
public static class WeightAverage
{
    /// <summary>
    /// average ← decay · average + (1 − decay) · model for every parameter; buffers (batch-norm running
    /// statistics, power-iteration vectors) are copied as they are. Decay 0 copies the model.
    /// </summary>
    public static void Update(nn.Module average, nn.Module model, double decay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decay);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(decay, 1);
        using var _ = no_grad();
        var parameters = average.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in model.named_parameters())
            parameters[name].mul_(decay).add_(parameter, alpha: 1 - decay);
        var buffers = average.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, buffer) in model.named_buffers())
            buffers[name].copy_(buffer);
    }
}
