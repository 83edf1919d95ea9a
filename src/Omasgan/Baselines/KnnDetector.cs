using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// kNN distance: the mean Euclidean distance from a sample to its k nearest normal training samples
/// (raw pixels, flattened). Exact: every training sample is compared, in chunks so memory stays bounded.
/// </summary>
public sealed class KnnDetector : IBaselineDetector
{
    private const string DataFileName = "normal.bin";
    private const int QueryChunk = 512, DataChunk = 8192;
    private readonly Tensor normal;

    private KnnDetector(Tensor normal, int neighbours)
    {
        this.normal = normal;
        Neighbours = neighbours;
    }

    public string Name => BaselineDetectors.Knn;
    public int Neighbours { get; }

    internal static KnnDetector Fit(Tensor data, int neighbours)
    {
        if (neighbours > data.shape[0])
            throw new ArgumentException($"k = {neighbours} neighbours but only {data.shape[0]} normal samples.");
        return new KnnDetector(data.reshape(data.shape[0], -1).to_type(ScalarType.Float32).contiguous().clone(), neighbours);
    }

    public float[] Score(Tensor samples) =>
        BaselineDetectors.InBatches(samples, QueryChunk, batch => MeanNearestDistance(batch.reshape(batch.shape[0], -1)));

    private Tensor MeanNearestDistance(Tensor queries)
    {
        Tensor? best = null;
        for (long start = 0; start < normal.shape[0]; start += DataChunk)
        {
            Tensor chunk = normal.narrow(0, start, Math.Min(DataChunk, normal.shape[0] - start));
            Tensor squared = NearestDataDistance.SquaredDistances(queries, chunk);
            Tensor candidates = best is null ? squared : cat([best, squared], 1);
            best = candidates.topk(Math.Min(Neighbours, (int)candidates.shape[1]), dim: 1, largest: false).values;
        }
        return best!.sqrt().mean([1]);
    }

    public void Save(string directory)
    {
        BaselineDetectors.WriteDescription(directory, new BaselineDescription(Name, normal.shape[1..], Neighbours));
        AtomicFile.Write(Path.Combine(directory, DataFileName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            normal.Save(writer);
        });
    }

    internal static KnnDetector Load(string directory, BaselineDescription description)
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, DataFileName)));
        Tensor data = Tensor.Load(reader);
        return new KnnDetector(data, description.Neighbours);
    }

    public void Dispose() => normal.Dispose();
}
