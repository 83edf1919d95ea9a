using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using static TorchSharp.torch;

namespace Omasgan.Baselines;

/// <summary>
/// ML.NET's randomized-PCA anomaly detector (Microsoft.ML, called as it is): the normalised
/// reconstruction error of a sample from the normal data's top principal components; higher = more anomalous.
/// </summary>
public sealed class PcaDetector : IBaselineDetector
{
    private const string ModelFileName = "pca.zip";
    private readonly MLContext context;
    private readonly ITransformer model;
    private readonly int features;

    private PcaDetector(MLContext context, ITransformer model, int features)
    {
        this.context = context;
        this.model = model;
        this.features = features;
    }

    public string Name => BaselineDetectors.Pca;

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

    internal static PcaDetector Fit(Tensor normal, int rank, int seed)
    {
        var context = new MLContext(seed);
        int features = checked((int)(normal.numel() / normal.shape[0]));
        var trainer = context.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
        {
            FeatureColumnName = nameof(Row.Features),
            Rank = Math.Min(rank, features),
            Seed = seed,
            EnsureZeroMean = true,
        });
        return new PcaDetector(context, trainer.Fit(View(context, normal)), features);
    }

    public float[] Score(Tensor samples)
    {
        int given = checked((int)(samples.numel() / Math.Max(1, samples.shape[0])));
        if (given != features)
            throw new ArgumentException($"The PCA detector takes samples of {features} values; got {given}.");
        IDataView scored = model.Transform(View(context, samples));
        return scored.GetColumn<float>("Score").ToArray();
    }

    public void Save(string directory)
    {
        BaselineDetectors.WriteDescription(directory, new BaselineDescription(Name, [features]));
        AtomicFile.Write(Path.Combine(directory, ModelFileName), stream =>
            context.Model.Save(model, View(context, zeros(1, features)).Schema, stream));
    }

    internal static PcaDetector Load(string directory)
    {
        var context = new MLContext();
        using FileStream stream = File.OpenRead(Path.Combine(directory, ModelFileName));
        ITransformer model = context.Model.Load(stream, out DataViewSchema schema);
        var type = (VectorDataViewType)schema[nameof(Row.Features)].Type;
        return new PcaDetector(context, model, type.Size);
    }

    public void Dispose() { }
}
