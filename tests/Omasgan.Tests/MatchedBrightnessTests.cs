using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class MatchedBrightnessTests
{
    /// <summary>Two 2×2 "images" on a background of −1: offsets (2, 0, 0, 0) and (0, 2, 2, 0), norms 2 and √8.</summary>
    static Tensor Data() => tensor(new float[] { 1, -1, -1, -1, -1, 1, 1, -1 }).reshape(2, 1, 2, 2);

    [Fact]
    public void Boundary_samples_take_the_datas_mean_brightness_and_keep_their_shape()
    {
        using var scope = NewDisposeScope();
        var matched = new MatchedBrightness(Data(), reference: -1);
        Assert.Equal((2 + Math.Sqrt(8)) / 2, matched.Target, 1e-6);
        // A dim sample (offset 0.1 in every pixel) and one whose ink sits in one pixel (offset (0, 0, 0.1, 1.9)).
        Tensor samples = tensor(new float[] { -0.9f, -0.9f, -0.9f, -0.9f, -1, -1, -0.9f, 0.9f }).reshape(2, 1, 2, 2);
        Tensor seen = matched.Apply(samples);
        Tensor offsets = (seen + 1).flatten(1);
        Tensor norms = offsets.norm(1);
        // The first: offset rescaled from norm 0.2 to the target (1.207 per pixel), same direction; it stays in [−1, 1].
        Assert.Equal(matched.Target, norms[0].item<float>(), 1e-4);
        Tensor direction = full(4, 0.5f);
        Assert.True(offsets[0].allclose(direction * (float)matched.Target, rtol: 1e-4, atol: 1e-5));
        // The second would reach 1 + 1.9·(2.414/1.903) − 1 > 2 at its last pixel: clipped to the data's top, 1.
        Assert.Equal(1f, seen.flatten(1)[1][3].item<float>(), 1e-6);
        Assert.True(seen.min().item<float>() >= -1 && seen.max().item<float>() <= 1);
    }

    [Fact]
    public void The_generator_gets_a_gradient_through_the_rescaling()
    {
        using var scope = NewDisposeScope();
        var matched = new MatchedBrightness(Data(), reference: -1);
        Tensor samples = tensor(new float[] { -0.8f, -0.9f, -1, -1, -0.5f, -1, -0.9f, -0.6f }).reshape(2, 1, 2, 2).requires_grad_(true);
        matched.Apply(samples).pow(2).sum().backward();
        Assert.True(samples.grad!.isfinite().all().item<bool>());
        Assert.True(samples.grad!.abs().sum().item<float>() > 0);
        // Scaling a sample's offset leaves what the stages see unchanged: brightness alone cannot move it.
        Tensor dimmer = (samples.detach() + 1) * 0.5f - 1;
        Assert.True(matched.Apply(dimmer).allclose(matched.Apply(samples.detach()), rtol: 1e-5, atol: 1e-6));
    }
}
