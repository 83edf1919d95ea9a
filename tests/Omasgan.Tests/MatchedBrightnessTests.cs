using Omasgan.Stages;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Tests;

public class MatchedBrightnessTests
{
    /// <summary>Two 2×2 "images" on a background of −1: offsets (2, 0, 0, 0) and (0, 2, 2, 0), norms 2 and √8.</summary>
    static Tensor Data() => tensor(new float[] { 1, -1, -1, -1, -1, 1, 1, -1 }).reshape(2, 1, 2, 2);

    [Fact]
    public void Boundary_samples_take_a_training_samples_brightness_and_keep_their_shape()
    {
        using var scope = NewDisposeScope();
        using var matched = new MatchedBrightness(Data(), reference: -1);
        Assert.Equal(new[] { 2f, (float)Math.Sqrt(8) }, matched.Norms.data<float>().ToArray(), new FloatTolerance(1e-6f));
        // Dim samples, offset 0.1 in every pixel: each is seen with offset 1 or √2 per pixel, same direction, inside [−1, 1].
        manual_seed(1);
        Tensor seen = matched.Apply(full(200, 1, 2, 2, -0.9f));
        Tensor offsets = (seen + 1).flatten(1);
        Assert.True(offsets.allclose(offsets.narrow(1, 0, 1).expand(200, 4), rtol: 1e-5, atol: 1e-6));
        float[] perPixel = offsets.select(1, 0).data<float>().ToArray();
        Assert.All(perPixel, v => Assert.True(Math.Abs(v - 1) < 1e-5 || Math.Abs(v - Math.Sqrt(2)) < 1e-5, $"{v}"));
        // Both brightnesses are drawn.
        Assert.Contains(perPixel, v => v < 1.2f);
        Assert.Contains(perPixel, v => v > 1.2f);
        // Ink in one pixel, offset (0, 0, 0, 0.5), would reach an offset of 2 or more there: clipped to the data's top, 1.
        Tensor one = matched.Apply(tensor(new float[] { -1, -1, -1, -0.5f }).reshape(1, 1, 2, 2));
        Assert.Equal(1f, one.flatten()[3].item<float>(), 1e-6);
    }

    [Fact]
    public void The_generator_gets_a_gradient_and_brightness_alone_cannot_move_what_the_stages_see()
    {
        using var scope = NewDisposeScope();
        using var matched = new MatchedBrightness(Data(), reference: -1);
        Tensor samples = tensor(new float[] { -0.8f, -0.9f, -1, -1, -0.5f, -1, -0.9f, -0.6f }).reshape(2, 1, 2, 2).requires_grad_(true);
        matched.Apply(samples).pow(2).sum().backward();
        Assert.True(samples.grad!.isfinite().all().item<bool>());
        Assert.True(samples.grad!.abs().sum().item<float>() > 0);
        Tensor dimmer = (samples.detach() + 1) * 0.5f - 1;
        manual_seed(2);
        Tensor a = matched.Apply(dimmer);
        manual_seed(2);
        Assert.True(a.allclose(matched.Apply(samples.detach()), rtol: 1e-5, atol: 1e-6));
    }

    sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
