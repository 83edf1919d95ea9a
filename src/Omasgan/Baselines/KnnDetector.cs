using Omasgan.Detection;
using Omasgan.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// What the nearest-neighbour baselines share: they keep the prepared normal training samples and a
/// neighbour count k, save the samples, and search them exactly (Euclidean, samples flattened): every
/// training sample is compared, in chunks so memory stays bounded.
/// </summary>
public abstract class NeighbourBaseline : BaselineDetector
{
    private const string DataFileName = "normal.bin";
    private const int DataChunk = 8192;

    private protected NeighbourBaseline(InputPipeline input, Tensor normal, int neighbours) : base(input, normal.shape[1..])
    {
        Normal = normal;
        Neighbours = neighbours;
    }

    /// <summary>The prepared normal training samples.</summary>
    protected Tensor Normal { get; }
    public int Neighbours { get; }
    protected override int ScoreBatchSize => 512;

    /// <summary>
    /// The <paramref name="count"/> smallest squared distances from each query to the rows of
    /// <paramref name="data"/> (both flattened), ascending, and those rows' indices.
    /// </summary>
    internal static (Tensor Squared, Tensor Indices) Nearest(Tensor queries, Tensor data, int count)
    {
        using var outer = NewDisposeScope();
        Tensor flat = queries.reshape(queries.shape[0], -1), rows = data.reshape(data.shape[0], -1);
        Tensor? best = null, bestIndex = null;
        for (long start = 0; start < rows.shape[0]; start += DataChunk)
        {
            // Each chunk's distance matrix and candidates go when the chunk is done; only the best k stay.
            using var scope = NewDisposeScope();
            long length = Math.Min(DataChunk, rows.shape[0] - start);
            Tensor squared = NearestDataDistance.SquaredDistances(flat, rows.narrow(0, start, length));
            Tensor index = arange(start, start + length, dtype: ScalarType.Int64).expand(flat.shape[0], length);
            Tensor candidates = best is null ? squared : cat([best, squared], 1);
            Tensor candidateIndex = bestIndex is null ? index : cat([bestIndex, index], 1);
            var (values, positions) = candidates.topk(Math.Min(count, (int)candidates.shape[1]), dim: 1, largest: false);
            best = scope.MoveToOuter(values);
            bestIndex = scope.MoveToOuter(candidateIndex.gather(1, positions));
        }
        return (outer.MoveToOuter(best!), outer.MoveToOuter(bestIndex!));
    }

    /// <summary>
    /// Distances (not squared) from each query to its k nearest training samples, ascending, and their
    /// indices; with <paramref name="leaveSelfOut"/> (queries that are training samples) the nearest,
    /// the sample itself, is left out.
    /// </summary>
    protected (Tensor Distances, Tensor Indices) Neighbourhood(Tensor queries, bool leaveSelfOut)
    {
        int skip = leaveSelfOut ? 1 : 0;
        var (squared, indices) = Nearest(queries, Normal, Neighbours + skip);
        int count = (int)squared.shape[1] - skip;
        return (squared.narrow(1, skip, count).sqrt(), indices.narrow(1, skip, count));
    }

    /// <summary><see cref="Neighbourhood"/> of many queries, <see cref="ScoreBatchSize"/> at a time, so memory stays bounded.</summary>
    protected (Tensor Distances, Tensor Indices) NeighbourhoodInSlices(Tensor queries, bool leaveSelfOut)
    {
        using var scope = NewDisposeScope();
        var parts = new List<(Tensor, Tensor)>();
        for (long start = 0; start < queries.shape[0]; start += ScoreBatchSize)
            parts.Add(Neighbourhood(queries.narrow(0, start, Math.Min(ScoreBatchSize, queries.shape[0] - start)), leaveSelfOut));
        return (scope.MoveToOuter(cat(parts.Select(p => p.Item1).ToArray(), 0)), scope.MoveToOuter(cat(parts.Select(p => p.Item2).ToArray(), 0)));
    }

    protected override void SaveContent(string directory) =>
        AtomicFile.Write(Path.Combine(directory, DataFileName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            Normal.Save(writer);
        });

    private protected override BaselineManifest Describe(BaselineManifest manifest) => manifest with { Neighbours = Neighbours };

    /// <summary>The saved training samples, checked against the manifest (k at most <c>samples − extra</c>).</summary>
    private protected static Tensor LoadNormal(string directory, BaselineManifest manifest, int extra)
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, DataFileName)));
        Tensor data = Tensor.Load(reader);
        if (!data.shape[1..].SequenceEqual(manifest.SampleShape) || manifest.Neighbours < 1 || manifest.Neighbours > data.shape[0] - extra)
        {
            data.Dispose();
            throw new ModelLoadException($"{directory}: the saved training samples do not fit the manifest.");
        }
        return data;
    }

    public override void Dispose() => Normal.Dispose();
}

/// <summary>
/// kNN distance: the mean Euclidean distance from a sample to its k nearest normal training samples
/// (PyOD's KNN with method "mean"). A training sample's own score (for the threshold) leaves the sample itself out.
/// </summary>
public sealed class KnnDetector : NeighbourBaseline
{
    private KnnDetector(InputPipeline input, Tensor normal, int neighbours) : base(input, normal, neighbours) { }

    public override string Name => BaselineDetectors.Knn;
    protected override string Title => "kNN";

    internal static KnnDetector Fit(InputPipeline input, Tensor prepared, int neighbours)
    {
        if (neighbours > prepared.shape[0])
            throw new ArgumentException($"k = {neighbours} neighbours but only {prepared.shape[0]} normal samples.");
        return new KnnDetector(input, prepared.to_type(ScalarType.Float32).contiguous().clone(), neighbours);
    }

    protected override Tensor ScoreBatch(Tensor prepared) => Neighbourhood(prepared, leaveSelfOut: false).Distances.mean([1]);

    protected override Tensor TrainingScoreBatch(Tensor prepared) => Neighbourhood(prepared, leaveSelfOut: true).Distances.mean([1]);

    internal static KnnDetector Load(string directory, InputPipeline input, BaselineManifest manifest) =>
        new KnnDetector(input, LoadNormal(directory, manifest, extra: 0), manifest.Neighbours).Restored<KnnDetector>(manifest);
}
