using Omasgan.Detection;
using Omasgan.Experiments;
using Omasgan.Networks;
using Omasgan.Stages;

namespace Omasgan.Tests;

/// <summary>The operation counts behind the benchmark's GFLOP/s.</summary>
public class BenchmarkTests
{
    [Fact]
    public void Layer_counts_equal_hand_computed_ones()
    {
        // Conv 3 → 8 channels, 3×3 kernel, 5×5 outputs: each of 8·25 outputs is a 3·9-term dot product.
        Assert.Equal(2L * 8 * 25 * 3 * 9, LayerFlops.Conv2d(3, 8, 3, 5));
        // Transposed conv 4 → 2 channels, 4×4 kernel over a 3×3 input: each of 4·9 inputs scatters 2·16 products.
        Assert.Equal(2L * 4 * 9 * 2 * 16, LayerFlops.ConvTranspose2d(4, 2, 4, 3));
        Assert.Equal(2L * 10 * 7, LayerFlops.Linear(10, 7));
    }

    [Fact]
    public void Mlp_forward_counts_are_two_operations_per_weight_of_the_built_networks()
    {
        var architecture = new MlpArchitecture { HiddenWidth = 12, HiddenLayers = 3 };
        using var generator = architecture.CreateGenerator(5, [7]);
        using var discriminator = architecture.CreateDiscriminator([7]);
        static long Weights(TorchSharp.torch.nn.Module m) =>
            m.named_parameters().Where(p => p.name.EndsWith("weight")).Sum(p => p.parameter.numel());
        Assert.Equal((2 * Weights(generator), 2 * Weights(discriminator)), architecture.ForwardFlops(5, [7]));
    }

    [Fact]
    public void A_step_count_adds_the_penalty_and_the_nearest_data_distances()
    {
        OmasganOptions options = new() { FGan = new FGanOptions { BatchSize = 4, DiscriminatorSteps = 2, GradientPenaltyWeight = 1 } };
        options = options with { Boundary = options.Boundary with { BatchSize = 4, DiscriminatorSteps = 2, GradientPenaltyWeight = 0 } };
        // Stage 1: 4 · (2 · (g + 6d + 2d) + 3(g + d)) with g = 10, d = 100.
        Assert.Equal(4.0 * (2 * (10 + 600 + 200) + 3 * 110), Benchmark.StepFlops(OmasganStage.FGan, options, 10, 100, 50, 3));
        // Stage 2 without a penalty, plus 2 · 4 · 50 · 3 for the distances to 50 data points of 3 features.
        Assert.Equal(4.0 * (2 * (10 + 600) + 3 * 110) + 2.0 * 4 * 50 * 3, Benchmark.StepFlops(OmasganStage.Boundary, options, 10, 100, 50, 3));
    }
}
