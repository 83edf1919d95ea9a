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

    /// <summary>
    /// Recomputes a network's batch-norm running statistics from <paramref name="batches"/> forward passes
    /// in training mode, without gradients (BigGAN's "standing statistics"): averaged weights with the
    /// running statistics of the network they were averaged from are not a consistent network in eval
    /// mode. With the default momentum of 0.1, 100 batches leave less than 10⁻⁴ of the old statistics.
    /// </summary>
    public static void RefreshBatchStatistics(nn.Module<Tensor, Tensor> network, Func<Tensor> input, int batches = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        using var _ = no_grad();
        bool training = network.training;
        network.train();
        for (int i = 0; i < batches; i++)
        {
            using var scope = NewDisposeScope();
            network.call(input());
        }
        network.train(training);
    }
}
