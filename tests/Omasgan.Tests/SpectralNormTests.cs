using Omasgan.Losses;
using Omasgan.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public sealed class SpectralNormTests
{
    static float LargestSingularValue(Tensor weight)
    {
        using var _ = no_grad();
        return linalg.svdvals(weight.reshape(weight.shape[0], -1))[0].item<float>();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Power_iteration_reaches_the_largest_singular_value_and_the_normalised_weight_has_norm_one(bool convolution)
    {
        manual_seed(5);
        using var layer = convolution ? SpectralNormLayer.Conv2d(8, 16, 4, stride: 2, padding: 1) : SpectralNormLayer.Linear(40, 24);
        Tensor input = convolution ? randn(2, 8, 8, 8) : randn(2, 40);
        layer.train();
        using (no_grad())
            for (int i = 0; i < 200; i++)
                layer.call(input);
        float exact = LargestSingularValue(layer.Weight);
        Assert.InRange(layer.Sigma, exact - 1e-3f, exact + 1e-3f);
        using (no_grad())
            Assert.InRange(LargestSingularValue(layer.NormalizedWeight()), 1 - 1e-3f, 1 + 1e-3f);
    }

    [Fact]
    public void Eval_mode_leaves_the_power_iteration_vectors_alone_and_training_mode_moves_them()
    {
        manual_seed(6);
        using var layer = SpectralNormLayer.Linear(30, 20);
        Tensor input = randn(4, 30);
        using var _ = no_grad();
        layer.Weight.add_(randn(20, 30));   // the vectors no longer fit the weight
        Tensor u = layer.get_buffer("u")!.clone();
        layer.eval();
        Tensor first = layer.call(input), second = layer.call(input);
        Assert.True(first.eq(second).all().item<bool>());
        Assert.True(layer.get_buffer("u")!.eq(u).all().item<bool>());
        layer.train();
        layer.call(input);
        Assert.False(layer.get_buffer("u")!.allclose(u));
    }

    [Fact]
    public void The_power_iteration_vectors_are_saved_with_the_weights()
    {
        manual_seed(7);
        using var layer = SpectralNormLayer.Conv2d(3, 5, 3, padding: 1);
        Assert.Equal(new[] { "bias", "u", "v", "weight" }, layer.state_dict().Keys.Order().ToArray());
        Assert.Equal(2, layer.parameters().Count());
        using var copy = SpectralNormLayer.Conv2d(3, 5, 3, padding: 1);
        copy.load_state_dict(layer.state_dict());
        Assert.Equal(layer.Sigma, copy.Sigma);
    }

    [Fact]
    public void A_gradient_penalty_backpropagates_through_two_training_passes()
    {
        manual_seed(8);
        using var layer = SpectralNormLayer.Linear(10, 1);
        layer.train();
        Tensor real = randn(8, 10).requires_grad_(true), fake = randn(8, 10);
        Tensor onReal = layer.call(real).squeeze(1);
        Tensor onFake = layer.call(fake).squeeze(1);
        Tensor loss = onFake.mean() - onReal.mean() + GradientPenalty.Compute(Divergences.Divergence.Gan.Objective(), real, onReal, 1.0);
        loss.backward();
        Tensor grad = layer.Weight.grad!;
        Assert.True(grad.abs().sum().item<float>() > 0);
        Assert.True(isfinite(grad).all().item<bool>());
    }

    [Fact]
    public void Negating_a_spectrally_normalised_discriminator_negates_its_output()
    {
        manual_seed(9);
        using var discriminator = new DcganArchitecture { Normalization = DiscriminatorNormalization.Spectral, WidthMultiplier = 0.25 }
            .CreateDiscriminator([1, 32, 32]);
        discriminator.eval();
        Tensor images = rand(4, 1, 32, 32);
        using var _ = no_grad();
        Tensor before = discriminator.call(images);
        Omasgan.Detection.OmasganNetworks.NegateOutput(discriminator);
        Assert.True(discriminator.call(images).allclose(-before, rtol: 1e-5, atol: 1e-6));
    }
}
