using static TorchSharp.torch;

namespace Omasgan;

/// <summary>The convolutions of the image networks, whose float32 kernels are checked against float64.</summary>
public enum ConvolutionKind
{
    /// <summary>3×3, stride 1, padding 1.</summary>
    ThreeByThree,
    /// <summary>4×4, stride 2, padding 1.</summary>
    FourByFourStrided,
    /// <summary>Transposed 4×4, stride 2, padding 1.</summary>
    FourByFourTransposed,
}

/// <summary>
/// Checks libtorch's float32 convolution kernels (oneDNN's, where it serves them) against float64
/// (ATen's own kernels, which oneDNN does not serve) on this machine: some instruction-set paths of
/// oneDNN returned wrong gradients on one processor (<see cref="KernelPaths"/>).
/// </summary>
public static class ConvolutionCheck
{
    /// <summary>The largest relative error a float32 kernel may have; above it (or NaN) the kernel is wrong.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// The largest |float32 − float64| of the output, the input gradient and the weight gradient of one
    /// convolution on random data, each relative to its largest float64 value (NaN where float32 gave NaN).
    /// </summary>
    public static (double Output, double InputGradient, double WeightGradient) RelativeErrors(
        ConvolutionKind kind, int inputs, int outputs, Generator generator, int batch = 16)
    {
        using var scope = NewDisposeScope();
        bool transposed = kind == ConvolutionKind.FourByFourTransposed;
        long side = transposed ? 8 : 16, kernel = kind == ConvolutionKind.ThreeByThree ? 3 : 4;
        var x = randn([batch, inputs, side, side], generator: generator);
        var w = 0.1 * randn(transposed ? [inputs, outputs, kernel, kernel] : [outputs, inputs, kernel, kernel], generator: generator);

        Tensor[] Run(ScalarType type)
        {
            var xt = x.to(type).detach().requires_grad_(true);
            var wt = w.to(type).detach().requires_grad_(true);
            Tensor y = kind switch
            {
                ConvolutionKind.ThreeByThree => nn.functional.conv2d(xt, wt, padding: [1, 1]),
                ConvolutionKind.FourByFourStrided => nn.functional.conv2d(xt, wt, strides: [2, 2], padding: [1, 1]),
                _ => nn.functional.conv_transpose2d(xt, wt, strides: [2, 2], padding: [1, 1]),
            };
            // An upstream gradient that differs between positions and channels.
            y.backward([(arange(y.numel()).reshape(y.shape).remainder(7) * 0.1 + 0.5).to(type)]);
            return [y.detach().to(ScalarType.Float64), xt.grad!.to(ScalarType.Float64), wt.grad!.to(ScalarType.Float64)];
        }

        Tensor[] single = Run(ScalarType.Float32), exact = Run(ScalarType.Float64);
        double Error(int i) => ((single[i] - exact[i]).abs().max() / exact[i].abs().max()).item<double>();
        return (Error(0), Error(1), Error(2));
    }
}
