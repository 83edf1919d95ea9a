using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Omasgan.Detection;
using static TorchSharp.torch;

namespace Omasgan.ML;

/// <summary>
/// A fitted OMASGAN detector (or baseline) as an ML.NET transformer: adds <see cref="ScoreColumnName"/>
/// (Single, higher = more anomalous) and <see cref="PredictedLabelColumnName"/> (Boolean, score at or
/// above <see cref="Threshold"/>) to any view with the feature column it was fitted on, lazily, in
/// batches. It owns the detector: dispose it when done.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> cannot write it: ML.NET 5 keeps everything a custom transformer needs
/// for that internal (<c>ModelSaveContext</c>'s members, <c>LoadableClassAttribute</c>), so the
/// transformer saves to a folder of its own with <see cref="Save"/> and reads back with
/// <see cref="Load(MLContext, string)"/>; <see cref="OmasganModel"/> saves a whole pipeline that ends in it.
/// </remarks>
public sealed class OmasganTransformer : ITransformer, IDisposable
{
    public const string ScoreColumnName = "Score";
    public const string PredictedLabelColumnName = "PredictedLabel";
    /// <summary>The file beside the detector's folder that says which column it reads.</summary>
    public const string ManifestFileName = "mlnet.json";
    /// <summary>The detector's own files (<see cref="IAnomalyDetector.Save"/>), under the saved folder.</summary>
    public const string DetectorFolder = "detector";
    /// <summary>Rows scored at once when a view is read.</summary>
    internal const int BatchSize = 1024;

    private bool disposed;

    internal OmasganTransformer(IAnomalyDetector detector, string featureColumnName, int featureCount)
    {
        Detector = detector;
        FeatureColumnName = featureColumnName;
        FeatureCount = featureCount;
    }

    /// <summary>The fitted detector: its own <c>Score</c>, <c>Predict</c>, <c>Columns</c> and <c>Threshold</c>.</summary>
    public IAnomalyDetector Detector { get; }

    /// <summary>The input column read, a Single vector of <see cref="FeatureCount"/>.</summary>
    public string FeatureColumnName { get; }

    public int FeatureCount { get; }

    /// <summary>The score at or above which <see cref="PredictedLabelColumnName"/> is true (fixed at fit time from the contamination share).</summary>
    public double Threshold => Detector.Threshold.Value;

    /// <summary>True: a <c>PredictionEngine</c> can score one row at a time.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input's columns, then Score and PredictedLabel.</summary>
    /// <exception cref="ArgumentException">the feature column is missing, not a known-size Single vector, or of another size than fitted.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema, nameof(inputSchema));
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(ScoreColumnName, NumberDataViewType.Single, ScoreAnnotations("Score"));
        builder.AddColumn(PredictedLabelColumnName, BooleanDataViewType.Instance, ScoreAnnotations(PredictedLabelColumnName));
        return builder.ToSchema();
    }

    /// <summary>
    /// What ML.NET's scorers mark their output columns with: the kind of task and of value (the names
    /// of ML.NET's AnnotationUtils, which is internal).
    /// </summary>
    private static DataViewSchema.Annotations ScoreAnnotations(string valueKind)
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add("ScoreColumnKind", TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> v) => v = "AnomalyDetection".AsMemory());
        annotations.Add("ScoreValueKind", TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
        return annotations.ToAnnotations();
    }

    /// <summary>The feature column of <paramref name="schema"/>, checked against the fitted size.</summary>
    internal DataViewSchema.Column CheckInput(DataViewSchema schema, string parameter)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var (column, size) = FeatureColumn.Find(schema, FeatureColumnName, parameter);
        if (size != FeatureCount)
            throw new ArgumentException($"The feature column '{FeatureColumnName}' has {size} features; the detector was fitted on {FeatureCount}.", parameter);
        return column;
    }

    /// <summary>A view of <paramref name="input"/> with Score and PredictedLabel added; scored lazily as it is read.</summary>
    /// <exception cref="ArgumentException">the feature column is missing, not a known-size Single vector, or of another size than fitted.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredDataView(this, input, GetOutputSchema(input.Schema));
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new ScoringRowMapper(this, inputSchema, GetOutputSchema(inputSchema));
    }

    /// <summary>Scores of <paramref name="count"/> rows of features laid end to end in <paramref name="flat"/>.</summary>
    internal float[] Score(float[] flat, int count)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using Tensor rows = tensor(flat.AsSpan(0, count * FeatureCount).ToArray(), [count, FeatureCount]);
        return Detector.Score(rows);
    }

    internal bool Flag(float score) => score >= Threshold;

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "An OmasganTransformer cannot be saved with mlContext.Model.Save: ML.NET keeps the API for saving custom "
            + "transformers internal. Save a pipeline that ends in it with mlContext.Model.SaveOmasgan(model, schema, directory) "
            + "and read it back with mlContext.Model.LoadOmasgan(directory, out schema), or the transformer alone with "
            + "transformer.Save(directory) and OmasganTransformer.Load(mlContext, directory).");

    /// <summary>
    /// Writes the detector into <paramref name="directory"/>/<see cref="DetectorFolder"/> (its own files,
    /// each written atomically) and the feature column's name and size into <see cref="ManifestFileName"/>.
    /// </summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ObjectDisposedException.ThrowIf(disposed, this);
        Directory.CreateDirectory(directory);
        Detector.Save(Path.Combine(directory, DetectorFolder));
        var manifest = new TransformerManifest { FeatureColumnName = FeatureColumnName, FeatureCount = FeatureCount };
        AtomicFile.WriteAllText(Path.Combine(directory, ManifestFileName), JsonSerializer.Serialize(manifest, TransformerManifest.Json));
    }

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    /// <param name="mlContext">the context the transformer will be used in (it keeps no state of its own there).</param>
    /// <exception cref="ModelLoadException">the folder holds no saved transformer, or one that cannot be read.</exception>
    public static OmasganTransformer Load(MLContext mlContext, string directory)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return Load(directory);
    }

    internal static OmasganTransformer Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string path = Path.Combine(directory, ManifestFileName);
        TransformerManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<TransformerManifest>(File.ReadAllText(path), TransformerManifest.Json)
                ?? throw new ModelLoadException($"{path}: empty.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ModelLoadException($"{path}: no saved OmasganTransformer could be read ({e.Message}).", e);
        }
        if (manifest.FormatVersion != TransformerManifest.CurrentFormatVersion)
            throw new ModelLoadException($"{path}: format version {manifest.FormatVersion}; this library reads version {TransformerManifest.CurrentFormatVersion}.");
        if (string.IsNullOrWhiteSpace(manifest.FeatureColumnName) || manifest.FeatureCount < 1)
            throw new ModelLoadException($"{path}: no feature column name or size.");

        KernelPaths.Pin();
        IAnomalyDetector detector = DetectorCatalog.Load(Path.Combine(directory, DetectorFolder));
        var transformer = new OmasganTransformer(detector, manifest.FeatureColumnName, manifest.FeatureCount);
        try
        {
            transformer.Score(new float[manifest.FeatureCount], 1);
        }
        catch (ArgumentException e)
        {
            transformer.Dispose();
            throw new ModelLoadException($"{directory}: the saved detector does not score rows of {manifest.FeatureCount} features ({e.Message}).", e);
        }
        return transformer;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Detector.Dispose();
    }
}

/// <summary>The <see cref="OmasganTransformer.ManifestFileName"/> of a saved transformer.</summary>
internal sealed record TransformerManifest
{
    public const int CurrentFormatVersion = 1;
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public string FeatureColumnName { get; init; } = "";
    public int FeatureCount { get; init; }
}
