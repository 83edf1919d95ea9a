using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Omasgan.Detection;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// ML.NET's randomized-PCA anomaly detector (Microsoft.ML, called as it is): the normalised
/// reconstruction error of a sample from the normal data's top principal components; higher = more anomalous.
/// </summary>
public sealed class PcaDetector : BaselineDetector
{
    private const string ModelFileName = "pca.zip";
    private readonly MLContext context;
    private readonly ITransformer model;
    private readonly int features;

    private PcaDetector(InputPipeline input, long[] sampleShape, MLContext context, ITransformer model) : base(input, sampleShape)
    {
        this.context = context;
        this.model = model;
        features = checked((int)sampleShape.Aggregate(1L, (a, b) => a * b));
    }

    public override string Name => BaselineDetectors.Pca;
    protected override string Title => "PCA (ML.NET)";
    protected override int ScoreBatchSize => 8192;

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    private static IDataView View(MLContext context, Tensor samples)
    {
        int features = checked((int)(samples.numel() / samples.shape[0]));
        float[] flat = samples.reshape(samples.shape[0], -1).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var rows = Enumerable.Range(0, (int)samples.shape[0]).Select(i => new Row { Features = flat.AsSpan(i * features, features).ToArray() });
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        return context.Data.LoadFromEnumerable(rows, schema);
    }

    internal static PcaDetector Fit(InputPipeline input, Tensor prepared, int rank, int seed)
    {
        var context = new MLContext(seed);
        int features = checked((int)(prepared.numel() / prepared.shape[0]));
        var trainer = context.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
        {
            FeatureColumnName = nameof(Row.Features),
            // At most half the features: a rank as large as the feature count reconstructs every sample exactly (0/0 scores).
            Rank = Math.Min(rank, Math.Max(1, features / 2)),
            Seed = seed,
            EnsureZeroMean = true,
        });
        return new PcaDetector(input, prepared.shape[1..], context, trainer.Fit(View(context, prepared)));
    }

    protected override Tensor ScoreBatch(Tensor prepared) =>
        tensor(model.Transform(View(context, prepared)).GetColumn<float>("Score").ToArray());

    protected override void SaveContent(string directory) =>
        AtomicFile.Write(Path.Combine(directory, ModelFileName), stream =>
            context.Model.Save(model, View(context, zeros(1, features)).Schema, stream));

    internal static PcaDetector Load(string directory, InputPipeline input, BaselineManifest manifest)
    {
        var context = new MLContext();
        using FileStream stream = File.OpenRead(Path.Combine(directory, ModelFileName));
        ITransformer model = context.Model.Load(stream, out DataViewSchema schema);
        var detector = new PcaDetector(input, manifest.SampleShape, context, model);
        if (((VectorDataViewType)schema[nameof(Row.Features)].Type).Size != detector.features)
            throw new ModelLoadException($"{directory}: the saved PCA model does not fit samples of shape [{string.Join(", ", manifest.SampleShape)}].");
        return detector.Restored<PcaDetector>(manifest);
    }

    public override void Dispose() { }
}
