using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Omasgan.Networks;

/// <summary>How the discriminator (and so D, D′ and S) normalises its hidden layers.</summary>
public enum DiscriminatorNormalization
{
    /// <summary>Batch norm, the original's: each call is normalised by its own batch in training and by
    /// running statistics in eval mode, and the gradient penalty is not per sample.</summary>
    Batch,
    /// <summary>No normalisation.</summary>
    None,
    /// <summary>Per-sample normalisation over all of a layer's features (group norm with one group).</summary>
    Layer,
    /// <summary>Spectral normalisation of every convolution and linear layer, no other normalisation
    /// (the original's KL-WGAN discriminator).</summary>
    Spectral,
}

/// <summary>How the generator doubles its feature maps' side.</summary>
public enum GeneratorUpsampling
{
    /// <summary>Stride-2 4×4 transposed convolutions, the original's.</summary>
    Transposed,
    /// <summary>Nearest-neighbour upsampling, then a 3×3 convolution (as in BigGAN's generator), which
    /// avoids the checkerboard artefacts of overlapping transposed kernels.</summary>
    Nearest,
}

/// <summary>
/// The original's DCGAN pair for 1- or 3-channel 32×32 images in [−1, 1], with every layer's width
/// multiplied by <see cref="WidthMultiplier"/>.
/// Generator: linear to 512×4×4 with batch norm and ReLU; three upsampling steps (by default stride-2
/// 4×4 transposed convolutions) to 256, 128 and 64 channels with batch norm and ReLU; a 3×3
/// convolution to the image's channels and tanh (the data's range).
/// Discriminator: three stride-2 4×4 convolutions to 64, 128 and 256 channels with normalisation (by
/// default batch norm) and ELU; a linear layer to 512 with normalisation and ELU; a linear layer to
/// the raw output v.
/// </summary>
public sealed record DcganArchitecture : NetworkArchitecture
{
    /// <summary>The side of the images the pair takes; other sizes are resized to it.</summary>
    public const int ImageSize = 32;

    /// <summary>Scales every layer's width (0.0625–4; default 1, the original's).</summary>
    public double WidthMultiplier { get; init; } = 1;

    /// <summary>The discriminator's normalisation (default batch norm, the original's).</summary>
    public DiscriminatorNormalization Normalization { get; init; } = DiscriminatorNormalization.Batch;

    /// <summary>The generator's upsampling (default transposed convolutions, the original's).</summary>
    public GeneratorUpsampling Upsampling { get; init; } = GeneratorUpsampling.Transposed;

    // Base widths of the original: generator 512 → 256 → 128 → 64, discriminator 64 → 128 → 256 → 512.
    internal int Width(int baseWidth) => Math.Max(1, (int)Math.Round(baseWidth * WidthMultiplier));

    public override Module<Tensor, Tensor> CreateGenerator(int latentDim, long[] sampleShape) =>
        new DcganGenerator(latentDim, Channels(sampleShape), Upsampling, Width(512), Width(256), Width(128), Width(64));

    public override Module<Tensor, Tensor> CreateDiscriminator(long[] sampleShape) =>
        new DcganDiscriminator(Channels(sampleShape), Normalization, Width(64), Width(128), Width(256), Width(512));

    public override long ParameterCount(int latentDim, long[] sampleShape)
    {
        checked
        {
            long c = Channels(sampleShape);
            long g0 = Width(512), g1 = Width(256), g2 = Width(128), g3 = Width(64);
            long d0 = Width(64), d1 = Width(128), d2 = Width(256), d3 = Width(512);
            static long Conv(long inputs, long outputs, long kernel) => inputs * outputs * kernel * kernel + outputs;
            static long Norm(long features) => 2 * features;
            bool affineNorm = Normalization is DiscriminatorNormalization.Batch or DiscriminatorNormalization.Layer;
            long DNorm(long features) => affineNorm ? Norm(features) : 0;
            long k = Upsampling == GeneratorUpsampling.Transposed ? 4 : 3;
            long generator = latentDim * g0 * 16 + g0 * 16 + Norm(g0 * 16)
                + Conv(g0, g1, k) + Norm(g1) + Conv(g1, g2, k) + Norm(g2) + Conv(g2, g3, k) + Norm(g3)
                + Conv(g3, c, 3);
            long discriminator = Conv(c, d0, 4) + DNorm(d0) + Conv(d0, d1, 4) + DNorm(d1) + Conv(d1, d2, 4) + DNorm(d2)
                + d2 * 16 * d3 + d3 + DNorm(d3) + d3 + 1;
            return generator + discriminator;
        }
    }

    public override (long Generator, long Discriminator) ForwardFlops(int latentDim, long[] sampleShape)
    {
        long c = Channels(sampleShape);
        long g0 = Width(512), g1 = Width(256), g2 = Width(128), g3 = Width(64);
        long d0 = Width(64), d1 = Width(128), d2 = Width(256), d3 = Width(512);
        long Up(long inputs, long outputs, long inputSide) => Upsampling == GeneratorUpsampling.Transposed
            ? LayerFlops.ConvTranspose2d(inputs, outputs, 4, inputSide)
            : LayerFlops.Conv2d(inputs, outputs, 3, 2 * inputSide);
        long generator = LayerFlops.Linear(latentDim, g0 * 16) + Up(g0, g1, 4) + Up(g1, g2, 8) + Up(g2, g3, 16)
            + LayerFlops.Conv2d(g3, c, 3, ImageSize);
        long discriminator = LayerFlops.Conv2d(c, d0, 4, 16) + LayerFlops.Conv2d(d0, d1, 4, 8) + LayerFlops.Conv2d(d1, d2, 4, 4)
            + LayerFlops.Linear(d2 * 16, d3) + LayerFlops.Linear(d3, 1);
        return (generator, discriminator);
    }

    public override void Validate()
    {
        OptionChecks.InRange(WidthMultiplier, 0.0625, 4, nameof(WidthMultiplier));
        OptionChecks.Defined(Normalization, nameof(Normalization));
        OptionChecks.Defined(Upsampling, nameof(Upsampling));
    }

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

    public DcganGenerator(int latentDim, int channels, GeneratorUpsampling upsampling, int w0, int w1, int w2, int w3)
        : base(nameof(DcganGenerator))
    {
        width = w0;
        project = Sequential(Linear(latentDim, w0 * 16), BatchNorm1d(w0 * 16), ReLU());
        body = Sequential();
        foreach ((int inputs, int outputs) in new[] { (w0, w1), (w1, w2), (w2, w3) })
        {
            if (upsampling == GeneratorUpsampling.Transposed)
                body.append(ConvTranspose2d(inputs, outputs, 4, stride: 2, padding: 1));
            else
            {
                body.append(Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest));
                body.append(Conv2d(inputs, outputs, 3, padding: 1));
            }
            body.append(BatchNorm2d(outputs));
            body.append(ReLU());
        }
        body.append(Conv2d(w3, channels, 3, padding: 1));
        body.append(Tanh());
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => body.call(project.call(z).view(-1, width, 4, 4));
}

/// <summary>Maps images (n, c, 32, 32) to one raw output v (n).</summary>
public sealed class DcganDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public DcganDiscriminator(int channels, DiscriminatorNormalization normalization, int w0, int w1, int w2, int w3)
        : base(nameof(DcganDiscriminator))
    {
        bool spectral = normalization == DiscriminatorNormalization.Spectral;
        Module<Tensor, Tensor> Conv(int inputs, int outputs) => spectral
            ? SpectralNormLayer.Conv2d(inputs, outputs, 4, stride: 2, padding: 1)
            : Conv2d(inputs, outputs, 4, stride: 2, padding: 1);
        Module<Tensor, Tensor> Dense(int inputs, int outputs) => spectral ? SpectralNormLayer.Linear(inputs, outputs) : Linear(inputs, outputs);
        body = Sequential();
        void Add(Module<Tensor, Tensor> layer, int features, bool convolutional)
        {
            body.append(layer);
            Module<Tensor, Tensor>? norm = normalization switch
            {
                DiscriminatorNormalization.Batch => convolutional ? BatchNorm2d(features) : BatchNorm1d(features),
                DiscriminatorNormalization.Layer => convolutional ? LayerNorm2d(features) : LayerNorm(features),
                _ => null,
            };
            if (norm is not null)
                body.append(norm);
            body.append(ELU());
        }
        Add(Conv(channels, w0), w0, true);
        Add(Conv(w0, w1), w1, true);
        Add(Conv(w1, w2), w2, true);
        body.append(Flatten());
        Add(Dense(w2 * 16, w3), w3, false);
        body.append(Dense(w3, 1));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x).squeeze(1);

    /// <summary>Group norm with one group: each sample normalised over all its channels and positions.</summary>
    static GroupNorm LayerNorm2d(int channels)
    {
        var norm = GroupNorm(1, channels);
        // TorchSharp 0.107's GroupNorm leaves its affine weights uninitialised; PyTorch starts them at 1 and 0.
        using (no_grad())
        {
            norm.weight!.fill_(1);
            norm.bias!.zero_();
        }
        return norm;
    }
}
