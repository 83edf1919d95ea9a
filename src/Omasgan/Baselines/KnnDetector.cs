using Omasgan.Detection;
using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// kNN distance: the mean Euclidean distance from a sample to its k nearest normal training samples
/// (prepared samples, flattened). Exact: every training sample is compared, in chunks so memory stays
/// bounded. A training sample's own score (for the threshold) leaves the sample itself out.
/// </summary>
public sealed class KnnDetector : BaselineDetector
{
    private const string DataFileName = "normal.bin";
    private const int DataChunk = 8192;
    private readonly Tensor normal;

    private KnnDetector(InputPipeline input, Tensor normal, int neighbours) : base(input, normal.shape[1..])
    {
        this.normal = normal;
        Neighbours = neighbours;
    }

    public override string Name => BaselineDetectors.Knn;
    protected override string Title => "kNN";
    protected override int ScoreBatchSize => 512;
    public int Neighbours { get; }

    internal static KnnDetector Fit(InputPipeline input, Tensor prepared, int neighbours)
    {
        if (neighbours > prepared.shape[0])
            throw new ArgumentException($"k = {neighbours} neighbours but only {prepared.shape[0]} normal samples.");
        return new KnnDetector(input, prepared.to_type(ScalarType.Float32).contiguous().clone(), neighbours);
    }

    protected override Tensor ScoreBatch(Tensor prepared) => Nearest(prepared, Neighbours).sqrt().mean([1]);

    protected override Tensor TrainingScoreBatch(Tensor prepared)
    {
        // The nearest is the sample itself (distance 0); its k neighbours are the next ones.
        int count = (int)Math.Min(Neighbours + 1, normal.shape[0]);
        Tensor squared = Nearest(prepared, count);
        return squared.narrow(1, 1, count - 1).sqrt().mean([1]);
    }

    /// <summary>The <paramref name="count"/> smallest squared distances from each query to the training samples, ascending.</summary>
    private Tensor Nearest(Tensor queries, int count)
    {
        Tensor flat = queries.reshape(queries.shape[0], -1), data = normal.reshape(normal.shape[0], -1);
        Tensor? best = null;
        for (long start = 0; start < data.shape[0]; start += DataChunk)
        {
            Tensor chunk = data.narrow(0, start, Math.Min(DataChunk, data.shape[0] - start));
            Tensor squared = NearestDataDistance.SquaredDistances(flat, chunk);
            Tensor candidates = best is null ? squared : cat([best, squared], 1);
            best = candidates.topk(Math.Min(count, (int)candidates.shape[1]), dim: 1, largest: false).values;
        }
        return best!;
    }

    protected override void SaveContent(string directory) =>
        AtomicFile.Write(Path.Combine(directory, DataFileName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            normal.Save(writer);
        });

    private protected override BaselineManifest Describe(BaselineManifest manifest) => manifest with { Neighbours = Neighbours };

    internal static KnnDetector Load(string directory, InputPipeline input, BaselineManifest manifest)
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, DataFileName)));
        Tensor data = Tensor.Load(reader);
        if (!data.shape[1..].SequenceEqual(manifest.SampleShape) || manifest.Neighbours < 1 || manifest.Neighbours > data.shape[0])
        {
            data.Dispose();
            throw new ModelLoadException($"{directory}: the saved training samples do not fit the manifest.");
        }
        return new KnnDetector(input, data, manifest.Neighbours).Restored<KnnDetector>(manifest);
    }

    public override void Dispose() => normal.Dispose();
}
