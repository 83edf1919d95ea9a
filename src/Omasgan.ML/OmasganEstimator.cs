using Microsoft.ML;
using Microsoft.ML.Data;
using Omasgan.Baselines;
using Omasgan.Detection;
using Omasgan.Experiments;
using static TorchSharp.torch;

namespace Omasgan.ML;

/// <summary>
/// An ML.NET estimator that fits OMASGAN (or any detector of <see cref="DetectorCatalog"/>) on the
/// rows of a known-size Single vector column, normal data only, and gives an
/// <see cref="OmasganTransformer"/> that adds <c>Score</c> (Single, higher = more anomalous) and
/// <c>PredictedLabel</c> (Boolean, score at or above the threshold fixed at fit time), as ML.NET's
/// randomized-PCA anomaly detector does, so <c>mlContext.AnomalyDetection.Evaluate</c> reads its output.
/// </summary>
public sealed class OmasganEstimator : IEstimator<OmasganTransformer>
{
    /// <summary>How the estimator fits.</summary>
    public sealed record Options
    {
        public const string DefaultFeatureColumnName = "Features";

        /// <summary>The input column of features: a known-size vector of Single.</summary>
        public string FeatureColumnName { get; init; } = DefaultFeatureColumnName;

        /// <summary>The detector fitted: "omasgan" (default) or a baseline of <see cref="DetectorCatalog.Names"/>.</summary>
        public string Detector { get; init; } = OmasganDetector.DetectorName;

        /// <summary>OMASGAN's options; null: <see cref="VectorDefaults"/> of the feature count. Their seed is replaced by <see cref="Seed"/>.</summary>
        public OmasganOptions? Omasgan { get; init; }

        /// <summary>The baselines' options, for a <see cref="Detector"/> other than "omasgan".</summary>
        public BaselineOptions Baselines { get; init; } = new();

        /// <summary>Seed of the weights and every draw: the same seed and data give the same detector.</summary>
        public int Seed { get; init; } = OmasganOptions.DefaultSeed;

        /// <summary>Share of the normal training rows above the saved threshold, that is flagged by <c>PredictedLabel</c> ([0, 1]).</summary>
        public double Contamination { get; init; } = ScoreThreshold.DefaultContamination;

        /// <summary>Where the networks train (<c>cpu</c>, <c>cuda</c>); null: the CPU.</summary>
        public string? Device { get; init; }

        /// <summary>Stops the fit at the next training step with <see cref="OperationCanceledException"/>.</summary>
        public CancellationToken Cancellation { get; init; }
    }

    /// <summary>
    /// OMASGAN's settings for rows of <paramref name="features"/> features when none are given: the
    /// <c>vector</c> preset (<see cref="VectorPreset.For"/>), as <c>omasgan train --table</c> uses.
    /// </summary>
    public static OmasganOptions VectorDefaults(int features) => VectorPreset.For(features);

    /// <summary>The options given, or null for the vector preset of the feature count seen at fit time.</summary>
    private readonly OmasganOptions? omasgan;

    /// <exception cref="ArgumentException">an unknown detector or an empty column name.</exception>
    /// <exception cref="InvalidOptionException">an option out of range; the message names it and its range.</exception>
    public OmasganEstimator(Options? options = null)
    {
        EstimatorOptions = options ?? new Options();
        ArgumentException.ThrowIfNullOrWhiteSpace(EstimatorOptions.FeatureColumnName, nameof(Options.FeatureColumnName));
        if (!DetectorCatalog.Names.Contains(EstimatorOptions.Detector))
            throw new ArgumentException($"Unknown detector '{EstimatorOptions.Detector}'; use one of: {string.Join(", ", DetectorCatalog.Names)}.", nameof(options));
        omasgan = EstimatorOptions.Omasgan is { } given ? given with { Seed = EstimatorOptions.Seed } : null;
        omasgan?.Validate();
        EstimatorOptions.Baselines.Validate();
        Settings().Validate();
    }

    /// <summary>The options the estimator was made with.</summary>
    public Options EstimatorOptions { get; }

    private FitSettings Settings() => new()
    {
        Seed = EstimatorOptions.Seed,
        Contamination = EstimatorOptions.Contamination,
        Device = EstimatorOptions.Device,
        Cancellation = EstimatorOptions.Cancellation,
        Title = $"Fitting {EstimatorOptions.Detector}",
    };

    /// <summary>
    /// Fits the detector on every row of <paramref name="input"/>'s feature column (normal data only;
    /// other columns, a label included, are not read).
    /// </summary>
    /// <exception cref="ArgumentException">the feature column is missing or not a known-size Single vector, the view has no rows, or a feature is NaN or infinite.</exception>
    public OmasganTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string name = EstimatorOptions.FeatureColumnName;
        var (column, size) = FeatureColumn.Find(input.Schema, name, nameof(input));
        float[] rows = ReadRows(input, column, size);

        KernelPaths.Pin();
        using Tensor normal = tensor(rows, [rows.Length / size, size]);
        IDetectorTrainer trainer = DetectorCatalog.Trainer(EstimatorOptions.Detector,
            omasgan ?? VectorDefaults(size) with { Seed = EstimatorOptions.Seed }, EstimatorOptions.Baselines);
        IAnomalyDetector detector = trainer.Fit(normal, Settings());
        return new OmasganTransformer(detector, name, size);
    }

    /// <summary>The input's columns with <c>Score</c> and <c>PredictedLabel</c> added.</summary>
    /// <exception cref="ArgumentException">the feature column is missing or not a known-size Single vector.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        FeatureColumn.Check(inputSchema, EstimatorOptions.FeatureColumnName, nameof(inputSchema));
        // SchemaShape.Column has no public constructor; ML.NET's own anomaly trainer makes the two
        // columns it adds, which are the ones this estimator adds (Score Single, PredictedLabel Boolean).
        return new MLContext().AnomalyDetection.Trainers
            .RandomizedPca(featureColumnName: EstimatorOptions.FeatureColumnName)
            .GetOutputSchema(inputSchema);
    }

    /// <summary>The feature vectors of every row, flat (row after row).</summary>
    private static float[] ReadRows(IDataView input, DataViewSchema.Column column, int size)
    {
        var rows = new List<float>();
        var buffer = new float[size];
        VBuffer<float> value = default;
        using DataViewRowCursor cursor = input.GetRowCursor([column]);
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
        long row = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            value.CopyTo(buffer);
            int bad = Array.FindIndex(buffer, v => !float.IsFinite(v));
            if (bad >= 0)
                throw new ArgumentException($"Row {row} of the feature column '{column.Name}' has {buffer[bad]} at index {bad}; the detector fits on finite features only.", nameof(input));
            rows.AddRange(buffer);
            row++;
        }
        if (row == 0)
            throw new ArgumentException("The input has no rows to fit on.", nameof(input));
        return rows.ToArray();
    }
}
