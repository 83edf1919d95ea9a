using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Omasgan.Networks;

/// <summary>
/// The original's DCGAN pair for 1- or 3-channel 32×32 images in [−1, 1], with every layer's width
/// multiplied by <see cref="WidthMultiplier"/>.
/// Generator: linear to 512×4×4 with batch norm and ReLU; three stride-2 4×4 transposed
/// convolutions to 256, 128 and 64 channels with batch norm and ReLU; a 3×3 convolution to the
/// image's channels and tanh (the data's range).
/// Discriminator: three stride-2 4×4 convolutions to 64, 128 and 256 channels with batch norm and
/// ELU; a linear layer to 512 with batch norm and ELU; a linear layer to the raw output v.
/// </summary>
public sealed record DcganArchitecture : NetworkArchitecture
{
    /// <summary>The side of the images the pair takes; other sizes are resized to it.</summary>
    public const int ImageSize = 32;

    /// <summary>Scales every layer's width (0.0625–4; default 1, the original's).</summary>
    public double WidthMultiplier { get; init; } = 1;

    // Base widths of the original: generator 512 → 256 → 128 → 64, discriminator 64 → 128 → 256 → 512.
    internal int Width(int baseWidth) => Math.Max(1, (int)Math.Round(baseWidth * WidthMultiplier));

    public override Module<Tensor, Tensor> CreateGenerator(int latentDim, long[] sampleShape) =>
        new DcganGenerator(latentDim, Channels(sampleShape), Width(512), Width(256), Width(128), Width(64));

    public override Module<Tensor, Tensor> CreateDiscriminator(long[] sampleShape) =>
        new DcganDiscriminator(Channels(sampleShape), Width(64), Width(128), Width(256), Width(512));

    public override long ParameterCount(int latentDim, long[] sampleShape)
    {
        checked
        {
            long c = Channels(sampleShape);
            long g0 = Width(512), g1 = Width(256), g2 = Width(128), g3 = Width(64);
            long d0 = Width(64), d1 = Width(128), d2 = Width(256), d3 = Width(512);
            static long Conv(long inputs, long outputs, long kernel) => inputs * outputs * kernel * kernel + outputs;
            static long Norm(long features) => 2 * features;
            long generator = latentDim * g0 * 16 + g0 * 16 + Norm(g0 * 16)
                + Conv(g0, g1, 4) + Norm(g1) + Conv(g1, g2, 4) + Norm(g2) + Conv(g2, g3, 4) + Norm(g3)
                + Conv(g3, c, 3);
            long discriminator = Conv(c, d0, 4) + Norm(d0) + Conv(d0, d1, 4) + Norm(d1) + Conv(d1, d2, 4) + Norm(d2)
                + d2 * 16 * d3 + d3 + Norm(d3) + d3 + 1;
            return generator + discriminator;
        }
    }

    public override (long Generator, long Discriminator) ForwardFlops(int latentDim, long[] sampleShape)
    {
        long c = Channels(sampleShape);
        long g0 = Width(512), g1 = Width(256), g2 = Width(128), g3 = Width(64);
        long d0 = Width(64), d1 = Width(128), d2 = Width(256), d3 = Width(512);
        long generator = LayerFlops.Linear(latentDim, g0 * 16)
            + LayerFlops.ConvTranspose2d(g0, g1, 4, 4) + LayerFlops.ConvTranspose2d(g1, g2, 4, 8) + LayerFlops.ConvTranspose2d(g2, g3, 4, 16)
            + LayerFlops.Conv2d(g3, c, 3, ImageSize);
        long discriminator = LayerFlops.Conv2d(c, d0, 4, 16) + LayerFlops.Conv2d(d0, d1, 4, 8) + LayerFlops.Conv2d(d1, d2, 4, 4)
            + LayerFlops.Linear(d2 * 16, d3) + LayerFlops.Linear(d3, 1);
        return (generator, discriminator);
    }

    public override void Validate() => OptionChecks.InRange(WidthMultiplier, 0.0625, 4, nameof(WidthMultiplier));

    static int Channels(long[] sampleShape)
    {
        if (sampleShape is not [1 or 3, ImageSize, ImageSize])
            throw new ArgumentException(
                $"DCGAN networks take 1- or 3-channel {ImageSize}×{ImageSize} images; got samples of shape [{string.Join(", ", sampleShape)}].");
        return (int)sampleShape[0];
    }
}

/// <summary>Maps z (n, d) to images (n, c, 32, 32) in [−1, 1].</summary>
public sealed class DcganGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential project;
    private readonly Sequential body;
    private readonly long width;

    public DcganGenerator(int latentDim, int channels, int w0, int w1, int w2, int w3) : base(nameof(DcganGenerator))
    {
        width = w0;
        project = Sequential(Linear(latentDim, w0 * 16), BatchNorm1d(w0 * 16), ReLU());
        body = Sequential(
            ConvTranspose2d(w0, w1, 4, stride: 2, padding: 1), BatchNorm2d(w1), ReLU(),
            ConvTranspose2d(w1, w2, 4, stride: 2, padding: 1), BatchNorm2d(w2), ReLU(),
            ConvTranspose2d(w2, w3, 4, stride: 2, padding: 1), BatchNorm2d(w3), ReLU(),
            Conv2d(w3, channels, 3, padding: 1), Tanh());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => body.call(project.call(z).view(-1, width, 4, 4));
}

/// <summary>Maps images (n, c, 32, 32) to one raw output v (n).</summary>
public sealed class DcganDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public DcganDiscriminator(int channels, int w0, int w1, int w2, int w3) : base(nameof(DcganDiscriminator))
    {
        body = Sequential(
            Conv2d(channels, w0, 4, stride: 2, padding: 1), BatchNorm2d(w0), ELU(),
            Conv2d(w0, w1, 4, stride: 2, padding: 1), BatchNorm2d(w1), ELU(),
            Conv2d(w1, w2, 4, stride: 2, padding: 1), BatchNorm2d(w2), ELU(),
            Flatten(),
            Linear(w2 * 16, w3), BatchNorm1d(w3), ELU(),
            Linear(w3, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x).squeeze(1);
}
