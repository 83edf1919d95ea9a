using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Omasgan.Networks;

/// <summary>
/// A BigGAN-style residual pair for 1- or 3-channel 32×32 images in [−1, 1] (Brock et al., 2019, the
/// networks of the original's KL-WGAN model; unconditional, no self-attention), with the channel base
/// ch = 64 × <see cref="WidthMultiplier"/>.
/// Generator: linear to 4ch×4×4; three residual blocks (batch norm, ReLU, nearest-neighbour ×2
/// upsampling, two 3×3 convolutions; shortcut upsampling then 1×1 convolution) to 32×32; batch norm,
/// ReLU, a 3×3 convolution to the image's channels and tanh.
/// Discriminator, spectrally normalised in every convolution and linear layer and without batch norm:
/// four residual blocks of 4ch channels (two 3×3 convolutions with ReLU before each but the very
/// first; 2×2 average pooling in the first two; shortcut 1×1 convolution), ReLU, a sum over positions
/// and a linear layer to the raw output v.
/// Convolution and linear weights start from N(0, 0.02), as in the original.
/// </summary>
public sealed record BigGanArchitecture : NetworkArchitecture
{
    /// <summary>Scales the channel base (0.0625–4; default 1, the original's ch = 64).</summary>
    public double WidthMultiplier { get; init; } = 1;

    /// <summary>Standard deviation of the initial convolution and linear weights.</summary>
    public const double InitialStd = 0.02;

    internal int Channels4 => Math.Max(1, (int)Math.Round(64 * WidthMultiplier)) * 4;

    public override Module<Tensor, Tensor> CreateGenerator(int latentDim, long[] sampleShape) =>
        new BigGanGenerator(latentDim, ImageChannels(sampleShape), Channels4);

    public override Module<Tensor, Tensor> CreateDiscriminator(long[] sampleShape) =>
        new BigGanDiscriminator(ImageChannels(sampleShape), Channels4);

    public override long ParameterCount(int latentDim, long[] sampleShape)
    {
        checked
        {
            long c = ImageChannels(sampleShape), w = Channels4;
            static long Conv(long inputs, long outputs, long kernel) => inputs * outputs * kernel * kernel + outputs;
            long norm = 2 * w;
            long block = norm + Conv(w, w, 3) + norm + Conv(w, w, 3) + Conv(w, w, 1);
            long generator = latentDim * w * 16 + w * 16 + 3 * block + norm + Conv(w, c, 3);
            long discriminator = Conv(c, w, 3) + Conv(w, w, 3) + Conv(c, w, 1)
                + 3 * (Conv(w, w, 3) + Conv(w, w, 3) + Conv(w, w, 1)) + w + 1;
            return generator + discriminator;
        }
    }

    public override (long Generator, long Discriminator) ForwardFlops(int latentDim, long[] sampleShape)
    {
        long c = ImageChannels(sampleShape), w = Channels4;
        // A generator block at output side s: two 3×3 convolutions and the 1×1 shortcut, all at s.
        long GBlock(long s) => 2 * LayerFlops.Conv2d(w, w, 3, s) + LayerFlops.Conv2d(w, w, 1, s);
        long generator = LayerFlops.Linear(latentDim, w * 16) + GBlock(8) + GBlock(16) + GBlock(32) + LayerFlops.Conv2d(w, c, 3, 32);
        // Discriminator blocks convolve at their input side (32, 16, 8, 8); block 1 pools its shortcut before the 1×1 convolution, the others after it.
        long discriminator = LayerFlops.Conv2d(c, w, 3, 32) + LayerFlops.Conv2d(w, w, 3, 32) + LayerFlops.Conv2d(c, w, 1, 16)
            + 2 * LayerFlops.Conv2d(w, w, 3, 16) + LayerFlops.Conv2d(w, w, 1, 16)
            + 2 * (2 * LayerFlops.Conv2d(w, w, 3, 8) + LayerFlops.Conv2d(w, w, 1, 8))
            + LayerFlops.Linear(w, 1);
        return (generator, discriminator);
    }

    public override void Validate() => OptionChecks.InRange(WidthMultiplier, 0.0625, 4, nameof(WidthMultiplier));

    /// <summary>
    /// True: as BigGAN's training loop does, an update runs D once on its real and generated batches
    /// concatenated, so each spectrally normalised layer makes one power iteration per update. (D has no
    /// batch norm, so each sample's output is its own.)
    /// </summary>
    public override bool ScoresBatchesTogether => true;

    static int ImageChannels(long[] sampleShape)
    {
        if (sampleShape is not [1 or 3, DcganArchitecture.ImageSize, DcganArchitecture.ImageSize])
            throw new ArgumentException(
                $"BigGAN networks take 1- or 3-channel {DcganArchitecture.ImageSize}×{DcganArchitecture.ImageSize} images; got samples of shape [{string.Join(", ", sampleShape)}].");
        return (int)sampleShape[0];
    }

    /// <summary>Draws every convolution and linear weight of <paramref name="module"/> from N(0, 0.02) and zeroes their biases.</summary>
    internal static void InitialiseWeights(Module module)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            // Norm layers keep their 1 and 0; their parameters are the only one-dimensional weights.
            if (name.EndsWith("weight") && parameter.dim() > 1)
                init.normal_(parameter, 0, InitialStd);
            else if (name.EndsWith("bias") && !IsNormParameter(module, name))
                parameter.zero_();
        }
        foreach (var layer in module.modules().OfType<SpectralNormLayer>())
            layer.PowerIterate(SpectralNormLayer.InitialIterations);
    }

    static bool IsNormParameter(Module module, string name)
    {
        string owner = name[..^"bias".Length].TrimEnd('.');
        return module.named_modules().FirstOrDefault(m => m.name == owner).module is BatchNorm2d;
    }
}

/// <summary>BigGAN's generator block: BN, ReLU, ×2 nearest upsampling, 3×3 conv, BN, ReLU, 3×3 conv, plus the upsampled 1×1-convolved input.</summary>
internal sealed class BigGanGeneratorBlock : Module<Tensor, Tensor>
{
    private readonly BatchNorm2d norm1, norm2;
    private readonly Conv2d conv1, conv2, shortcut;
    private readonly Upsample upsample;

    public BigGanGeneratorBlock(int channels) : base(nameof(BigGanGeneratorBlock))
    {
        norm1 = BatchNorm2d(channels);
        conv1 = Conv2d(channels, channels, 3, padding: 1);
        norm2 = BatchNorm2d(channels);
        conv2 = Conv2d(channels, channels, 3, padding: 1);
        shortcut = Conv2d(channels, channels, 1);
        upsample = Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        Tensor h = conv1.call(upsample.call(functional.relu(norm1.call(x))));
        h = conv2.call(functional.relu(norm2.call(h)));
        return h + shortcut.call(upsample.call(x));
    }
}

/// <summary>Maps z (n, d) to images (n, c, 32, 32) in [−1, 1].</summary>
public sealed class BigGanGenerator : Module<Tensor, Tensor>
{
    private readonly Linear project;
    private readonly Sequential blocks;
    private readonly Sequential output;
    private readonly long width;

    public BigGanGenerator(int latentDim, int channels, int width) : base(nameof(BigGanGenerator))
    {
        this.width = width;
        project = Linear(latentDim, width * 16);
        blocks = Sequential(new BigGanGeneratorBlock(width), new BigGanGeneratorBlock(width), new BigGanGeneratorBlock(width));
        output = Sequential(BatchNorm2d(width), ReLU(), Conv2d(width, channels, 3, padding: 1), Tanh());
        RegisterComponents();
        BigGanArchitecture.InitialiseWeights(this);
    }

    public override Tensor forward(Tensor z) => output.call(blocks.call(project.call(z).view(-1, width, 4, 4)));
}

/// <summary>BigGAN's discriminator block with spectrally normalised convolutions.</summary>
internal sealed class BigGanDiscriminatorBlock : Module<Tensor, Tensor>
{
    private readonly SpectralNormLayer conv1, conv2, shortcut;
    private readonly bool preactivation, downsample;

    public BigGanDiscriminatorBlock(int inputs, int outputs, bool preactivation, bool downsample) : base(nameof(BigGanDiscriminatorBlock))
    {
        conv1 = SpectralNormLayer.Conv2d(inputs, outputs, 3, padding: 1);
        conv2 = SpectralNormLayer.Conv2d(outputs, outputs, 3, padding: 1);
        shortcut = SpectralNormLayer.Conv2d(inputs, outputs, 1);
        this.preactivation = preactivation;
        this.downsample = downsample;
        RegisterComponents();
    }

    Tensor Pool(Tensor x) => downsample ? functional.avg_pool2d(x, 2) : x;

    public override Tensor forward(Tensor x)
    {
        Tensor h = conv1.call(preactivation ? functional.relu(x) : x);
        h = Pool(conv2.call(functional.relu(h)));
        // BigGAN: pre-activated blocks convolve then pool the shortcut; the first block pools first.
        Tensor s = preactivation ? Pool(shortcut.call(x)) : shortcut.call(Pool(x));
        return h + s;
    }
}

/// <summary>Maps images (n, c, 32, 32) to one raw output v (n).</summary>
public sealed class BigGanDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential blocks;
    private readonly SpectralNormLayer linear;

    public BigGanDiscriminator(int channels, int width) : base(nameof(BigGanDiscriminator))
    {
        blocks = Sequential(
            new BigGanDiscriminatorBlock(channels, width, preactivation: false, downsample: true),
            new BigGanDiscriminatorBlock(width, width, preactivation: true, downsample: true),
            new BigGanDiscriminatorBlock(width, width, preactivation: true, downsample: false),
            new BigGanDiscriminatorBlock(width, width, preactivation: true, downsample: false));
        linear = SpectralNormLayer.Linear(width, 1);
        RegisterComponents();
        BigGanArchitecture.InitialiseWeights(this);
    }

    public override Tensor forward(Tensor x) => linear.call(functional.relu(blocks.call(x)).sum([2, 3])).squeeze(1);
}
