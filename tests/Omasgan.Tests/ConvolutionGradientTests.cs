using static TorchSharp.torch;

namespace Omasgan.Tests;

/// <summary>
/// The convolution kernels the pinned paths select give the right outputs and gradients on this
/// machine (<see cref="ConvolutionCheck"/>): the image networks' shapes, with channel counts that are
/// not multiples of the kernels' vector blocks.
/// </summary>
public sealed class ConvolutionGradientTests
{
    public static TheoryData<ConvolutionKind, int, int> Shapes()
    {
        var data = new TheoryData<ConvolutionKind, int, int>();
        foreach (var kind in Enum.GetValues<ConvolutionKind>())
            foreach (int inputs in new[] { 1, 2, 3, 8, 16 })
                foreach (int outputs in new[] { 1, 2, 4, 16 })
                    data.Add(kind, inputs, outputs);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32_outputs_and_gradients_match_float64(ConvolutionKind kind, int inputs, int outputs)
    {
        var (output, input, weight) = ConvolutionCheck.RelativeErrors(kind, inputs, outputs, new Generator(7));
        // !(e < bound) also fails on NaN.
        Assert.False(!(output < ConvolutionCheck.Tolerance), $"{kind}, {inputs} → {outputs} channels: output off by {output:G3} of its largest value");
        Assert.False(!(input < ConvolutionCheck.Tolerance), $"{kind}, {inputs} → {outputs} channels: input gradient off by {input:G3} of its largest value");
        Assert.False(!(weight < ConvolutionCheck.Tolerance), $"{kind}, {inputs} → {outputs} channels: weight gradient off by {weight:G3} of its largest value");
    }
}
