using Omasgan.Evaluation;
using ScottPlot;

namespace Omasgan.Reporting;

/// <summary>PNG plots of the project's results (ScottPlot, headless).</summary>
public static class Plots
{
    public const int Width = 640;
    public const int Height = 560;

    /// <summary>A 2-D point cloud, one colour per named layer.</summary>
    public sealed record PointLayer(string Label, float[] X, float[] Y, Color Color, float Size = 3);

    /// <summary>Scatter plot of several point layers.</summary>
    public static void Scatter(string path, string title, IEnumerable<PointLayer> layers)
    {
        var plot = new Plot();
        foreach (PointLayer layer in layers)
            AddPoints(plot, layer);
        Finish(plot, path, title, "x₁", "x₂", square: true);
    }

    /// <summary>A value over a grid of the plane as a heat map, with point layers drawn on top.</summary>
    /// <param name="values">values[row, column], row 0 at the bottom (y = yMin), column 0 at x = xMin.</param>
    public static void HeatMap(string path, string title, double[,] values, (double XMin, double XMax, double YMin, double YMax) extent,
        string valueLabel, IEnumerable<PointLayer> layers)
    {
        var plot = new Plot();
        // ScottPlot draws row 0 at the top; flip so that row 0 is the bottom of the plane.
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var flipped = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                flipped[r, c] = values[rows - 1 - r, c];
        var heatmap = plot.Add.Heatmap(flipped);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Extent = new CoordinateRect(extent.XMin, extent.XMax, extent.YMin, extent.YMax);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = valueLabel;
        foreach (PointLayer layer in layers)
            AddPoints(plot, layer);
        Finish(plot, path, title, "x₁", "x₂", square: true);
    }

    /// <summary>ROC curves, one per named score, with their AUROC in the legend.</summary>
    public static void Roc(string path, string title, IEnumerable<(string Label, RocCurve Curve)> curves)
    {
        var plot = new Plot();
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LineColor = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        foreach (var (label, curve) in curves)
        {
            double[] fpr = curve.Points.Select(p => p.FalsePositiveRate).ToArray();
            double[] tpr = curve.Points.Select(p => p.TruePositiveRate).ToArray();
            var line = plot.Add.ScatterLine(fpr, tpr);
            line.LegendText = $"{label} (AUROC {curve.Auroc():F3})";
            line.LineWidth = 2;
        }
        plot.Axes.SetLimits(0, 1, 0, 1);
        Finish(plot, path, title, "false-positive rate", "true-positive rate", square: false);
    }

    /// <summary>Histograms of the normal and the anomalous samples' scores over shared bins; <c>anomalous[i]</c> says which sample i is.</summary>
    public static void ScoreHistogram(string path, string title, IReadOnlyList<double> scores, IReadOnlyList<bool> isAnomalous, int bins = 50)
    {
        double[] normal = scores.Where((_, i) => !isAnomalous[i]).ToArray(), anomalous = scores.Where((_, i) => isAnomalous[i]).ToArray();
        double min = Math.Min(normal.Min(), anomalous.Min()), max = Math.Max(normal.Max(), anomalous.Max());
        if (max <= min) max = min + 1;
        var plot = new Plot();
        AddHistogram(plot, normal, bins, min, max, "normal", Colors.SteelBlue);
        AddHistogram(plot, anomalous, bins, min, max, "anomalous", Colors.OrangeRed);
        Finish(plot, path, title, "anomaly score", "fraction of samples", square: false);
    }

    /// <summary>One line with markers per series over named categories (e.g. AUROC per class, one line per detector).</summary>
    public static void CategoryLines(string path, string title, IReadOnlyList<string> categories, string yLabel,
        IEnumerable<(string Label, double[] Values)> series)
    {
        var plot = new Plot();
        double[] xs = Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray();
        foreach (var (label, values) in series)
        {
            var line = plot.Add.Scatter(xs, values);
            line.LegendText = label;
            line.MarkerSize = 6;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, categories.ToArray());
        Finish(plot, path, title, "", yLabel, square: false, width: 1100, legendOutside: true);
    }

    private static void AddHistogram(Plot plot, IReadOnlyList<double> values, int bins, double min, double max, string label, Color color)
    {
        double width = (max - min) / bins;
        var counts = new double[bins];
        foreach (double v in values)
            counts[Math.Clamp((int)((v - min) / width), 0, bins - 1)] += 1.0 / values.Count;
        var bars = counts.Select((c, i) => new Bar
        {
            Position = min + (i + 0.5) * width,
            Value = c,
            Size = width,
            FillColor = color.WithAlpha(0.55),
            LineWidth = 0,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color.WithAlpha(0.55) });
    }

    private static void AddPoints(Plot plot, PointLayer layer)
    {
        var points = plot.Add.ScatterPoints(layer.X.Select(v => (double)v).ToArray(), layer.Y.Select(v => (double)v).ToArray());
        points.Color = layer.Color;
        points.MarkerSize = layer.Size;
        points.LegendText = layer.Label;
    }

    private static void Finish(Plot plot, string path, string title, string xLabel, string yLabel, bool square, int width = Width,
        bool legendOutside = false)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (legendOutside)
            plot.ShowLegend(Edge.Right);
        else
            plot.ShowLegend(Alignment.UpperLeft);
        if (square)
            plot.Axes.SquareUnits();
        plot.SavePng(path, width, Height);
    }
}
