using System.Globalization;

namespace Omasgan.Evaluation;

/// <summary>Mean and sample standard deviation over folds, seeds or fits.</summary>
public sealed record MeanStd(double Mean, double Std, int Count)
{
    public static MeanStd Of(IReadOnlyCollection<double> values)
    {
        double mean = values.Count == 0 ? double.NaN : values.Average();
        double std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanStd(mean, std, values.Count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Mean:F4} ± {Std:F4}");
}

/// <summary>The median of timings or scores: the middle value, or the mean of the two middle ones.</summary>
public static class Median
{
    public static double Of(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
