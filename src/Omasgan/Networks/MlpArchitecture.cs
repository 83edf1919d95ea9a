using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp.Modules;

namespace Omasgan.Networks;

/// <summary>Multi-layer perceptrons for vector data, as in the 2-D experiment: ReLU hidden layers.</summary>
public sealed record MlpArchitecture : NetworkArchitecture
{
    public const int DefaultHiddenWidth = 64;
    public const int DefaultHiddenLayers = 3;

    /// <summary>Units per hidden layer (1–4096; default 64).</summary>
    public int HiddenWidth { get; init; } = DefaultHiddenWidth;

    /// <summary>Number of hidden layers (1–16; default 3).</summary>
    public int HiddenLayers { get; init; } = DefaultHiddenLayers;

    public override Module<Tensor, Tensor> CreateGenerator(int latentDim, long[] sampleShape) =>
        new MlpGenerator(latentDim, Features(sampleShape), HiddenWidth, HiddenLayers);

    public override Module<Tensor, Tensor> CreateDiscriminator(long[] sampleShape) =>
        new MlpDiscriminator(Features(sampleShape), HiddenWidth, HiddenLayers);

    /// <exception cref="OverflowException">the count does not fit a long.</exception>
    public override long ParameterCount(int latentDim, long[] sampleShape)
    {
        checked
        {
            long features = sampleShape.Aggregate(1L, (a, b) => checked(a * b));
            long width = HiddenWidth;
            long Body(long inputs, long outputs) => checked(
                inputs * width + width                             // first hidden layer
                + (HiddenLayers - 1) * (width * width + width)     // further hidden layers
                + width * outputs + outputs);                      // output layer
            return Body(latentDim, features) + Body(features, 1);
        }
    }

    public override (long Generator, long Discriminator) ForwardFlops(int latentDim, long[] sampleShape)
    {
        long features = Features(sampleShape);
        long Body(long inputs, long outputs) =>
            LayerFlops.Linear(inputs, HiddenWidth) + (HiddenLayers - 1) * LayerFlops.Linear(HiddenWidth, HiddenWidth) + LayerFlops.Linear(HiddenWidth, outputs);
        return (Body(latentDim, features), Body(features, 1));
    }

    public override void Validate()
    {
        OptionChecks.InRange(HiddenWidth, 1, 4096, nameof(HiddenWidth));
        OptionChecks.InRange(HiddenLayers, 1, 16, nameof(HiddenLayers));
    }

    static int Features(long[] sampleShape)
    {
        if (sampleShape.Length != 1)
            throw new ArgumentException($"MLP networks take vectors; got samples of shape [{string.Join(", ", sampleShape)}].");
        return checked((int)sampleShape[0]);
    }

    internal static Sequential Body(int inputs, int outputs, int width, int layers)
    {
        var modules = new List<Module<Tensor, Tensor>>();
        int previous = inputs;
        for (int i = 0; i < layers; i++)
        {
            modules.Add(Linear(previous, width));
            modules.Add(ReLU());
            previous = width;
        }
        modules.Add(Linear(previous, outputs));
        return Sequential(modules);
    }
}

/// <summary>
/// Maps z to a sample. When the latent and sample sizes match, the input z is added to the output
/// (as in the original's 2-D generator), so the network learns a displacement of the latent.
/// </summary>
public sealed class MlpGenerator : Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly bool residual;

    public MlpGenerator(int latentDim, int features, int width, int layers) : base(nameof(MlpGenerator))
    {
        body = MlpArchitecture.Body(latentDim, features, width, layers);
        residual = latentDim == features;
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) => residual ? body.call(z) + z : body.call(z);
}

/// <summary>Maps a sample to one raw output v (n).</summary>
public sealed class MlpDiscriminator : Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public MlpDiscriminator(int features, int width, int layers) : base(nameof(MlpDiscriminator))
    {
        body = MlpArchitecture.Body(features, 1, width, layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => body.call(x.reshape(x.shape[0], -1)).squeeze(1);
}
