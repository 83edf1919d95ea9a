using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Detection;

/// <summary>Which trained generator to draw samples from.</summary>
public enum SampleSource
{
    /// <summary>Stage 1's G: samples of the learnt normal distribution.</summary>
    Stage1Generator,
    /// <summary>Stage 2's B: samples on the boundary of the normal support.</summary>
    Boundary,
    /// <summary>Stage 3's G′.</summary>
    Stage3Generator,
}

/// <summary>
/// A trained OMASGAN detector (<see cref="OmasganTrainer"/> fits one): it scores new samples (higher =
/// more anomalous) with its Stage 4 scorer or, for comparison, with either discriminator, draws
/// samples of its generators, and saves and loads. It does not change once trained.
/// </summary>
public sealed partial class OmasganDetector : IAnomalyDetector
{
    /// <summary>The detector's name in run folders and on the command line.</summary>
    public const string DetectorName = "omasgan";

    /// <summary>Samples scored per forward pass.</summary>
    public const int ScoreBatchSize = 4096;

    private readonly OmasganNetworks networks;

    internal OmasganDetector(OmasganOptions options, InputPipeline input, long[] sampleShape, int latentDim, OmasganNetworks networks,
        ScoreThreshold threshold)
    {
        Options = options;
        Input = input;
        SampleShape = sampleShape;
        LatentDim = latentDim;
        this.networks = networks;
        Threshold = threshold;
        Device = networks.parameters().First().device;
        networks.eval();
    }

    public string Name => DetectorName;

    /// <summary>The options the detector was trained with.</summary>
    public OmasganOptions Options { get; }

    public InputPipeline Input { get; }

    /// <summary>The networks' sample shape, e.g. [2] for 2-D points or [1, 32, 32] for grey images.</summary>
    public long[] SampleShape { get; }

    public int LatentDim { get; }

    public ScoreThreshold Threshold { get; }

    /// <summary>The device the networks live on (the CPU unless trained with another).</summary>
    public Device Device { get; }

    /// <summary>The scorer S, then Stage 1's −D and Stage 3's −D′.</summary>
    public IReadOnlyList<ScoreColumn> Columns { get; } =
        [ScoreColumn.Scorer, ScoreColumn.Stage1Discriminator, ScoreColumn.Stage3Discriminator];

    public float[] Score(Tensor samples, ScoreColumn? column = null)
    {
        column ??= ScoreColumn.Scorer;
        (nn.Module<Tensor, Tensor> network, float sign) =
            column == ScoreColumn.Scorer ? (networks.Scorer, 1f)
            : column == ScoreColumn.Stage1Discriminator ? (networks.Discriminator, -1f)
            : column == ScoreColumn.Stage3Discriminator ? (networks.RetrainedDiscriminator, -1f)
            : throw new ArgumentException($"OMASGAN has no score '{column.Key}'; it has: {string.Join(", ", Columns)}.", nameof(column));
        return Input.ScoreInSlices(samples, SampleShape, ScoreBatchSize, batch => network.call(batch) * sign, Device);
    }

    /// <summary><paramref name="count"/> samples of one of the trained generators, in the data's space (images in [−1, 1]).</summary>
    /// <param name="batchStatistics">
    /// false (the default): the generator in eval mode, its batch norm using the running statistics, as
    /// the stages after a generator's own sample it. true: in training mode, batch norm normalising each
    /// batch of <paramref name="batchSize"/> by its own statistics, as the generator's own stage trained
    /// it (on a copy, so the detector does not change).
    /// </param>
    public Tensor Sample(SampleSource source, int count, bool batchStatistics = false, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        nn.Module<Tensor, Tensor> generator = source switch
        {
            SampleSource.Stage1Generator => networks.Generator,
            SampleSource.Boundary => networks.Boundary,
            SampleSource.Stage3Generator => networks.RetrainedGenerator,
            _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
        };
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        if (!batchStatistics)
            return scope.MoveToOuter(Input.ToData(generator.call(rand([count, LatentDim], device: Device)).cpu()));
        using var copy = Options.Architecture.CreateGenerator(LatentDim, SampleShape).to(Device);
        OmasganNetworks.CopyWeights(generator, copy);
        copy.train();
        var batches = new List<Tensor>();
        for (int done = 0; done < count; done += batchSize)
            batches.Add(copy.call(rand([Math.Min(batchSize, count - done), LatentDim], device: Device)));
        return scope.MoveToOuter(Input.ToData(cat(batches).cpu()));
    }

    public void Dispose() => networks.Dispose();
}
