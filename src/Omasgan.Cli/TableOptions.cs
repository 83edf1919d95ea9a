using System.CommandLine;
using Omasgan.Data;
using Omasgan.Experiments.Loo;
using Spectre.Console;

namespace Omasgan.Cli;

/// <summary>The options of <c>train</c> and <c>loo</c> that take a CSV table instead of images.</summary>
internal sealed class TableOptions
{
    public readonly Option<string?> Table = new("--table")
    {
        Description = "A CSV file of numeric features (comma-separated, header line required) instead of images; rows are standardised per column.",
    };
    public readonly Option<string?> LabelColumn = new("--label-column") { Description = "With --table: the column of class labels (any values; not a feature)." };
    public readonly Option<string?> AnomalyLabel = new("--anomaly-label")
    {
        Description = "With --label-column: the label of the anomalous rows (one-vs-rest); detectors train on a share of the other rows and test on the rest of them and every anomalous row.",
    };
    public readonly Option<double?> TrainFraction = new("--train-fraction")
    {
        Description = $"With --label-column: the share of each class's rows detectors may train on, drawn with the seed (default {TableSplit.DefaultTrainFraction}).",
    };

    /// <summary>
    /// The table named by the options, read and checked, with the class of --anomaly-label when given;
    /// null without --table. Dropped constant columns are reported.
    /// </summary>
    /// <param name="others">options that take images, refused with --table.</param>
    public TableChoice? Source(ParseResult parse, params Option[] others)
    {
        string? path = parse.GetValue(Table);
        if (path is null)
        {
            if (parse.FirstTyped(LabelColumn, AnomalyLabel, TrainFraction) is { } stray)
                throw new ArgumentException($"{stray.Name} goes with --table.");
            return null;
        }
        if (parse.FirstTyped(others) is { } image)
            throw new ArgumentException($"Give --table or {image.Name}, not both.");
        string label = parse.GetValue(LabelColumn) ?? throw new ArgumentException("--table needs --label-column here: the column of class labels.");
        TableSource source = TableSource.Of(path, label, parse.GetValue(TrainFraction) ?? TableSplit.DefaultTrainFraction, out CsvTable read);
        ReportDropped(path, read.DroppedConstant);
        return new TableChoice(source, parse.GetValue(AnomalyLabel) is string anomaly ? ClassOf(read, source, anomaly) : null);
    }

    /// <summary>Says which constant columns were left out.</summary>
    public static void ReportDropped(string path, string[] dropped)
    {
        if (dropped.Length > 0)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(path)}: {(dropped.Length == 1 ? "column" : "columns")} {Markup.Escape(string.Join(", ", dropped.Select(d => $"'{d}'")))} {(dropped.Length == 1 ? "has" : "have")} one value in every row and {(dropped.Length == 1 ? "is" : "are")} left out.[/]");
    }

    /// <summary>The class index of label <paramref name="label"/> in the table read.</summary>
    private static int ClassOf(CsvTable read, TableSource source, string label)
    {
        var (names, _) = read.ClassesOf();
        int k = Array.IndexOf(names, label.Trim());
        return k >= 0 ? k : throw new DataFormatException(source.Path, $"no row has '{label}' in the label column '{source.LabelColumn}'; its values are {string.Join(", ", names.Take(20).Select(n => $"'{n}'"))}.");
    }
}

/// <summary>A table chosen on the command line, and the class of --anomaly-label (null: none given).</summary>
internal sealed record TableChoice(TableSource Table, int? AnomalyClass);
