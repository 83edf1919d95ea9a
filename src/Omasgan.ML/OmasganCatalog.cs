using Microsoft.ML;
using Omasgan.Detection;

namespace Omasgan.ML;

/// <summary>OMASGAN beside ML.NET's own anomaly detectors: <c>mlContext.AnomalyDetection.Trainers.Omasgan(...)</c>.</summary>
public static class OmasganCatalog
{
    /// <summary>An estimator that fits OMASGAN on <paramref name="featureColumnName"/> (a known-size Single vector).</summary>
    /// <param name="options">OMASGAN's options; null: <see cref="OmasganEstimator.VectorDefaults"/> (the vector preset for the feature count).</param>
    /// <param name="seed">seed of the weights and every draw.</param>
    /// <param name="contamination">share of the normal training rows above the threshold that sets PredictedLabel.</param>
    public static OmasganEstimator Omasgan(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = OmasganEstimator.Options.DefaultFeatureColumnName, OmasganOptions? options = null,
        int seed = OmasganOptions.DefaultSeed, double contamination = ScoreThreshold.DefaultContamination)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new OmasganEstimator(new OmasganEstimator.Options
        {
            FeatureColumnName = featureColumnName,
            Omasgan = options,
            Seed = seed,
            Contamination = contamination,
        });
    }

    /// <summary>An estimator with every option: another detector of <see cref="DetectorCatalog"/>, a device, a cancellation token.</summary>
    public static OmasganEstimator Omasgan(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, OmasganEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new OmasganEstimator(options);
    }
}
