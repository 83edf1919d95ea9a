namespace Omasgan.Evaluation;

/// <summary>One operating point: samples scoring at or above <see cref="Threshold"/> are called anomalous.</summary>
public readonly record struct OperatingPoint(double Threshold, int TruePositives, int FalsePositives, int Positives, int Negatives)
{
    public int FalseNegatives => Positives - TruePositives;
    public int TrueNegatives => Negatives - FalsePositives;
    public double TruePositiveRate => (double)TruePositives / Positives;
    public double FalsePositiveRate => (double)FalsePositives / Negatives;
    public double Precision => TruePositives + FalsePositives == 0 ? 1.0 : (double)TruePositives / (TruePositives + FalsePositives);
}

/// <summary>
/// The ROC curve of anomaly scores (higher = more anomalous) against labels (true = anomalous):
/// one point per distinct score, from the highest threshold down, as scikit-learn's roc_curve
/// without dropping collinear points.
/// </summary>
public sealed class RocCurve
{
    public RocCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count)
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.");
        if (scores.Any(s => !double.IsFinite(s)))
            throw new ArgumentException("Scores must be finite.", nameof(scores));
        Positives = labels.Count(l => l);
        Negatives = labels.Count - Positives;
        if (Positives == 0 || Negatives == 0)
            throw new ArgumentException($"Need both anomalous and normal samples; got {Positives} anomalous and {Negatives} normal.");

        int[] order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var points = new List<OperatingPoint> { new(double.PositiveInfinity, 0, 0, Positives, Negatives) };
        int tp = 0, fp = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (labels[order[k]]) tp++; else fp++;
            bool lastOfTie = k == order.Length - 1 || scores[order[k + 1]] != scores[order[k]];
            if (lastOfTie)
                points.Add(new OperatingPoint(scores[order[k]], tp, fp, Positives, Negatives));
        }
        Points = points;
    }

    public int Positives { get; }
    public int Negatives { get; }

    /// <summary>Operating points by decreasing threshold; the first calls nothing anomalous, the last everything.</summary>
    public IReadOnlyList<OperatingPoint> Points { get; }

    /// <summary>Area under the ROC curve (trapezoids, so ties count one half).</summary>
    public double Auroc()
    {
        double area = 0;
        for (int i = 1; i < Points.Count; i++)
            area += (Points[i].FalsePositiveRate - Points[i - 1].FalsePositiveRate)
                    * (Points[i].TruePositiveRate + Points[i - 1].TruePositiveRate) / 2;
        return area;
    }

    /// <summary>Average precision: Σ (R_k − R_{k−1}) · P_k over thresholds, as scikit-learn's average_precision_score.</summary>
    public double AveragePrecision()
    {
        double ap = 0;
        for (int i = 1; i < Points.Count; i++)
            ap += (Points[i].TruePositiveRate - Points[i - 1].TruePositiveRate) * Points[i].Precision;
        return ap;
    }

    /// <summary>The point where the false-positive and false-negative rates are closest (the equal error rate).</summary>
    public OperatingPoint EqualErrorRatePoint() =>
        Points.Skip(1).MinBy(p => Math.Abs(p.FalsePositiveRate - (1 - p.TruePositiveRate)));
}
