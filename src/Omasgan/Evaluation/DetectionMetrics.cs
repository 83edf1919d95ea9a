namespace Omasgan.Evaluation;

/// <summary>
/// Threshold-free metrics (AUROC, AUPRC) and, at the equal-error-rate threshold, the confusion-matrix
/// metrics. The anomalous class is the positive one.
/// </summary>
public sealed record DetectionMetrics
{
    public required double Auroc { get; init; }
    public required double Auprc { get; init; }
    /// <summary>Scores at or above this are called anomalous for the metrics below.</summary>
    public required double EerThreshold { get; init; }
    public required double F1 { get; init; }
    public required double Precision { get; init; }
    public required double Recall { get; init; }
    public required int FalsePositives { get; init; }
    public required int FalseNegatives { get; init; }
    public required double FalsePositiveRate { get; init; }
    public required double FalseNegativeRate { get; init; }
    public required double Accuracy { get; init; }
    public required int Positives { get; init; }
    public required int Negatives { get; init; }

    /// <summary>Metrics of anomaly <paramref name="scores"/> (higher = more anomalous) against <paramref name="labels"/> (true = anomalous).</summary>
    public static DetectionMetrics Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels) =>
        Compute(new RocCurve(scores, labels));

    public static DetectionMetrics Compute(RocCurve roc)
    {
        OperatingPoint eer = roc.EqualErrorRatePoint();
        double precision = eer.Precision, recall = eer.TruePositiveRate;
        return new DetectionMetrics
        {
            Auroc = roc.Auroc(),
            Auprc = roc.AveragePrecision(),
            EerThreshold = eer.Threshold,
            F1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            Precision = precision,
            Recall = recall,
            FalsePositives = eer.FalsePositives,
            FalseNegatives = eer.FalseNegatives,
            FalsePositiveRate = eer.FalsePositiveRate,
            FalseNegativeRate = 1 - recall,
            Accuracy = (double)(eer.TruePositives + eer.TrueNegatives) / (roc.Positives + roc.Negatives),
            Positives = roc.Positives,
            Negatives = roc.Negatives,
        };
    }
}
