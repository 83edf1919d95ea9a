using Omasgan.Detection;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Omasgan.Baselines;

/// <summary>What the network baselines share: a module trained by Adam on random normal batches, scored in eval mode, saved as weights.</summary>
public abstract class NetworkBaseline : BaselineDetector
{
    private const string WeightsFileName = "weights.bin";

    protected NetworkBaseline(InputPipeline input, Module<Tensor, Tensor> network, long[] sampleShape) : base(input, sampleShape)
    {
        Network = network;
        Network.eval();
    }

    protected Module<Tensor, Tensor> Network { get; }

    /// <summary>The per-sample loss minimised in training (its mean is stepped on).</summary>
    protected abstract Tensor TrainingLoss(Tensor batch);

    /// <summary>
    /// The network for samples of <paramref name="sampleShape"/>: <paramref name="rows"/>(features) for
    /// vectors, <paramref name="images"/>(channels) for 1- or 3-channel 32×32 images.
    /// </summary>
    protected static Module<Tensor, Tensor> For(long[] sampleShape, Func<int, Module<Tensor, Tensor>> rows, Func<int, Module<Tensor, Tensor>> images) =>
        sampleShape switch
        {
            [long features] => rows(checked((int)features)),
            [1 or 3, 32, 32] => images((int)sampleShape[0]),
            _ => throw new ArgumentException($"This detector takes rows of features or 1- or 3-channel 32×32 images; got samples of shape [{string.Join(", ", sampleShape)}]."),
        };

    /// <summary>Hidden units of the networks for rows of <paramref name="features"/>: F/2, at least 32 and at most 256.</summary>
    protected static int HiddenUnits(int features) => Math.Clamp(features / 2, 32, 256);

    /// <summary><paramref name="options"/>' steps of Adam on batches drawn with replacement from <paramref name="normal"/>.</summary>
    protected void Train(Tensor normal, BaselineOptions options, double learningRate, double weightDecay = 0)
    {
        using var optimizer = optim.Adam(Network.parameters(), learningRate, weight_decay: weightDecay);
        Network.train();
        for (int step = 0; step < options.Steps; step++)
        {
            using var scope = NewDisposeScope();
            Tensor batch = normal.index_select(0, randint(0, normal.shape[0], options.BatchSize, dtype: ScalarType.Int64));
            Tensor loss = TrainingLoss(batch).mean();
            if (!double.IsFinite(loss.item<float>()))
                throw new InvalidOperationException($"{Name}: the training loss became {loss.item<float>()} at step {step + 1}.");
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        Network.eval();
    }

    protected override void SaveContent(string directory) =>
        AtomicFile.Write(Path.Combine(directory, WeightsFileName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            Network.save(writer);
        });

    /// <summary>Loads the saved weights and threshold into <paramref name="baseline"/>.</summary>
    private protected static T LoadWeights<T>(string directory, T baseline, BaselineManifest manifest) where T : NetworkBaseline
    {
        baseline.Network.load(Path.Combine(directory, WeightsFileName), strict: true);
        baseline.Network.eval();
        return baseline.Restored<T>(manifest);
    }

    public override void Dispose() => Network.Dispose();
}

/// <summary>
/// An autoencoder scored by reconstruction error (mean squared error per sample). Images: stride-2 4×4
/// convolutions to 16, 32 and 64 channels, then a 32-unit code; the decoder mirrors it with transposed
/// convolutions and ends in tanh (the data's [−1, 1]). Rows of F features: F → h → code → h → F with
/// ReLU (h = F/2 within [32, 256], code = F/2 within [1, 32]), a linear output (standardised features).
/// </summary>
public sealed class AutoencoderDetector : NetworkBaseline
{
    public const int CodeSize = 32;

    private AutoencoderDetector(InputPipeline input, long[] sampleShape) : base(input, For(sampleShape, BuildRows, Build), sampleShape) { }

    public override string Name => BaselineDetectors.Autoencoder;
    protected override string Title => SampleShape.Length == 1 ? "MLP autoencoder" : "conv. autoencoder";

    private static Module<Tensor, Tensor> BuildRows(int f)
    {
        int h = HiddenUnits(f), code = Math.Clamp(f / 2, 1, CodeSize);
        return Sequential(Linear(f, h), ReLU(), Linear(h, code), ReLU(), Linear(code, h), ReLU(), Linear(h, f));
    }

    private static Module<Tensor, Tensor> Build(int c) => Sequential(
        Conv2d(c, 16, 4, stride: 2, padding: 1), LeakyReLU(0.2),
        Conv2d(16, 32, 4, stride: 2, padding: 1), BatchNorm2d(32), LeakyReLU(0.2),
        Conv2d(32, 64, 4, stride: 2, padding: 1), BatchNorm2d(64), LeakyReLU(0.2),
        Flatten(), Linear(64 * 16, CodeSize),
        Linear(CodeSize, 64 * 16), ReLU(), Unflatten(1, [64, 4, 4]),
        ConvTranspose2d(64, 32, 4, stride: 2, padding: 1), BatchNorm2d(32), ReLU(),
        ConvTranspose2d(32, 16, 4, stride: 2, padding: 1), BatchNorm2d(16), ReLU(),
        ConvTranspose2d(16, c, 4, stride: 2, padding: 1), Tanh());

    internal static AutoencoderDetector Fit(InputPipeline input, Tensor normal, BaselineOptions options)
    {
        var detector = new AutoencoderDetector(input, normal.shape[1..]);
        detector.Train(normal, options, learningRate: 1e-3);
        return detector;
    }

    protected override Tensor TrainingLoss(Tensor batch) => ScoreBatch(batch);

    protected override Tensor ScoreBatch(Tensor batch) =>
        (Network.call(batch) - batch).square().reshape(batch.shape[0], -1).mean([1]);

    internal static AutoencoderDetector Load(string directory, InputPipeline input, BaselineManifest manifest) =>
        LoadWeights(directory, new AutoencoderDetector(input, manifest.SampleShape), manifest);
}

/// <summary>
/// Deep SVDD (Ruff et al., ICML 2018), one-class objective: a bias-free CNN φ (two 5×5 convolutions
/// of 8 and 4 channels with affine-free batch norm, leaky ReLU and 2×2 max pooling, then a 32-unit
/// linear map; for rows of F features, F → h → 32 with leaky ReLU, h = F/2 within [32, 256]; all
/// without bias terms, so φ cannot map everything to the centre trivially) is
/// trained to pull normal samples towards a centre c fixed from an initial forward pass;
/// score ‖φ(x) − c‖².
/// </summary>
public sealed class DeepSvddDetector : NetworkBaseline
{
    public const int RepresentationSize = 32;
    /// <summary>Centre coordinates closer to 0 than this are moved to ±this (Ruff et al.), so units cannot reach c by dying.</summary>
    public const float MinimumCentre = 0.1f;
    private readonly Tensor centre;

    private DeepSvddDetector(InputPipeline input, long[] sampleShape, float[] centre) : base(input, For(sampleShape, BuildRows, Build), sampleShape) =>
        this.centre = tensor(centre);

    public override string Name => BaselineDetectors.DeepSvdd;
    protected override string Title => "Deep SVDD";

    private static Module<Tensor, Tensor> BuildRows(int f) => Sequential(
        Linear(f, HiddenUnits(f), hasBias: false), LeakyReLU(0.1), Linear(HiddenUnits(f), RepresentationSize, hasBias: false));

    private static Module<Tensor, Tensor> Build(int c) => Sequential(
        Conv2d(c, 8, 5, padding: 2, bias: false), BatchNorm2d(8, affine: false), LeakyReLU(0.1), MaxPool2d(2),
        Conv2d(8, 4, 5, padding: 2, bias: false), BatchNorm2d(4, affine: false), LeakyReLU(0.1), MaxPool2d(2),
        Flatten(), Linear(4 * 8 * 8, RepresentationSize, hasBias: false));

    internal static DeepSvddDetector Fit(InputPipeline input, Tensor normal, BaselineOptions options)
    {
        var detector = new DeepSvddDetector(input, normal.shape[1..], new float[RepresentationSize]);
        using (no_grad())
        {
            // c: the mean representation of (up to) 50 batches of training data in training mode.
            detector.Network.train();
            using Tensor sum = zeros(RepresentationSize);
            long count = Math.Min(normal.shape[0], 50L * options.BatchSize);
            for (long start = 0; start < count; start += options.BatchSize)
            {
                using var scope = NewDisposeScope();
                sum.add_(detector.Network.call(normal.narrow(0, start, Math.Min(options.BatchSize, count - start))).sum(0));
            }
            Tensor c = sum / count;
            c = where(c.abs() < MinimumCentre, where(c < 0, -MinimumCentre, MinimumCentre), c);
            detector.centre.copy_(c);
        }
        detector.Train(normal, options, learningRate: 1e-4, weightDecay: 1e-6);
        return detector;
    }

    protected override Tensor TrainingLoss(Tensor batch) => ScoreBatch(batch);

    protected override Tensor ScoreBatch(Tensor batch) => (Network.call(batch) - centre).square().sum(1);

    public override void Dispose()
    {
        centre.Dispose();
        base.Dispose();
    }

    private protected override BaselineManifest Describe(BaselineManifest manifest) => manifest with { Centre = centre.data<float>().ToArray() };

    internal static DeepSvddDetector Load(string directory, InputPipeline input, BaselineManifest manifest)
    {
        if (manifest.Centre is not { Length: RepresentationSize } c)
            throw new ModelLoadException($"{directory}: the Deep SVDD centre is missing or of the wrong size.");
        return LoadWeights(directory, new DeepSvddDetector(input, manifest.SampleShape, c), manifest);
    }
}
