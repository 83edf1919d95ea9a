using System.Globalization;
using CsvHelper;
using static TorchSharp.torch;

namespace Omasgan.Data;

/// <summary>
/// A table of numeric features read from a CSV file: the feature columns' names, the values row by
/// row, and the label column's values when one was named.
/// </summary>
public sealed record CsvTable(string Path, string[] Features, float[] Values, string[]? Labels, string[] DroppedConstant)
{
    /// <summary>The number of rows.</summary>
    public int RowCount => Values.Length / Features.Length;

    /// <summary>The rows as a float32 (rows, features) tensor (a copy).</summary>
    public Tensor Rows() => tensor(Values, [RowCount, Features.Length]);

    /// <summary>
    /// The label column's distinct values as classes: in numeric order when every value is a number,
    /// otherwise in ordinal order; and each row's class index.
    /// </summary>
    /// <exception cref="InvalidOperationException">the table has no label column.</exception>
    public (string[] Names, int[] Classes) ClassesOf()
    {
        string[] labels = Labels ?? throw new InvalidOperationException("The table was read without a label column.");
        string[] names = labels.Distinct().ToArray();
        names = names.All(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            ? names.OrderBy(n => double.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray()
            : names.Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        return (names, labels.Select(l => index[l]).ToArray());
    }

    /// <summary>The rows with their classes as a labelled set (needs a label column).</summary>
    public SampleSet ToSampleSet() => new(Rows(), ClassesOf().Classes, Path);
}

/// <summary>
/// Reads tables of numbers from CSV files (CsvHelper): comma-separated, a header line naming the
/// columns required, one row per line. Every cell of a feature column must be a finite number
/// (invariant culture: a dot for decimals). A problem is a <see cref="DataFormatException"/> naming
/// the file, the line and the column.
/// </summary>
public static class TableReader
{
    /// <summary>
    /// Reads <paramref name="path"/>. With <paramref name="features"/>, exactly those columns are the
    /// features, in that order (other columns are ignored, so a file may carry ids or labels); otherwise
    /// every column but <paramref name="labelColumn"/> is, and a column with one value in every row is
    /// dropped (it carries nothing to learn from; <see cref="CsvTable.DroppedConstant"/> names it).
    /// </summary>
    /// <param name="labelColumn">a column of class labels (any text, not empty), or null for none.</param>
    public static CsvTable Read(string path, string? labelColumn = null, IReadOnlyList<string>? features = null)
    {
        if (Directory.Exists(path))
            throw new DataFormatException(path, "is a folder, not a CSV file.");
        if (!File.Exists(path))
            throw new DataFormatException(path, "no such file.");
        return DataReader.Wrap(path, () => ReadFile(path, labelColumn, features));
    }

    private static CsvTable ReadFile(string path, string? labelColumn, IReadOnlyList<string>? features)
    {
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
        };
        using CsvReader csv = CsvReader.FromFile(path, options);
        string[] header;
        try
        {
            header = csv.Headers.ToArray();
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(path, $"the header line cannot be read ({e.Message}).", e);
        }
        if (header.Length == 0 || header.All(h => h.Length == 0))
            throw new DataFormatException(path, "is empty; a CSV file with a header line naming the columns is needed.");
        CheckHeader(path, header);

        int labelIndex = -1;
        if (labelColumn is not null && (labelIndex = Array.IndexOf(header, labelColumn)) < 0)
            throw new DataFormatException(path, $"no column '{labelColumn}' (the label column); the columns are {Names(header)}.");
        int[] featureIndex;
        if (features is not null)
        {
            featureIndex = features.Select(f => Array.IndexOf(header, f) is int i and >= 0
                ? i
                : throw new DataFormatException(path, $"no column '{f}', which the model takes; the columns are {Names(header)}.")).ToArray();
        }
        else
        {
            featureIndex = Enumerable.Range(0, header.Length).Where(i => i != labelIndex).ToArray();
            if (featureIndex.Length == 0)
                throw new DataFormatException(path, $"has no feature column besides the label column '{labelColumn}'.");
        }

        var values = new List<float>();
        var labels = labelIndex >= 0 ? new List<string>() : null;
        var row = new float[featureIndex.Length];
        while (Next(csv, path))
        {
            string At(int column) => $"line {csv.LineNumber}, column '{header[column]}'";
            if (csv.FieldCount != header.Length)
                throw new DataFormatException(path, $"line {csv.LineNumber} has {csv.FieldCount} fields where the header has {header.Length}.");
            for (int j = 0; j < featureIndex.Length; j++)
            {
                string cell = csv.GetString(featureIndex[j]).Trim();
                if (cell.Length == 0)
                    throw new DataFormatException(path, $"{At(featureIndex[j])}: the cell is empty; every feature cell needs a number.");
                if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    throw new DataFormatException(path, $"{At(featureIndex[j])}: '{Shorten(cell)}' is not a number.");
                if (!double.IsFinite(value) || !float.IsFinite((float)value))
                    throw new DataFormatException(path, $"{At(featureIndex[j])}: '{Shorten(cell)}' is not a finite number (single precision).");
                row[j] = (float)value;
            }
            if (labels is not null)
            {
                string label = csv.GetString(labelIndex).Trim();
                if (label.Length == 0)
                    throw new DataFormatException(path, $"{At(labelIndex)}: the label is empty.");
                labels.Add(label);
            }
            values.AddRange(row);
        }
        if (values.Count == 0)
            throw new DataFormatException(path, "has a header but no rows.");

        string[] names = featureIndex.Select(i => header[i]).ToArray();
        float[] data = values.ToArray();
        string[] dropped = [];
        if (features is null)
        {
            int rows = data.Length / names.Length;
            bool[] constant = Enumerable.Range(0, names.Length)
                .Select(j => Enumerable.Range(1, rows - 1).All(r => data[r * names.Length + j] == data[j])).ToArray();
            if (rows > 1 && constant.Contains(true))
            {
                if (constant.All(c => c))
                    throw new DataFormatException(path, $"every feature column is constant ({Names(names)}); there is nothing to learn from.");
                dropped = names.Where((_, j) => constant[j]).ToArray();
                int[] kept = Enumerable.Range(0, names.Length).Where(j => !constant[j]).ToArray();
                data = Enumerable.Range(0, rows).SelectMany(r => kept.Select(j => data[r * names.Length + j])).ToArray();
                names = kept.Select(j => names[j]).ToArray();
            }
        }
        return new CsvTable(path, names, data, labels?.ToArray(), dropped);
    }

    private static bool Next(CsvReader csv, string path)
    {
        try
        {
            return csv.Read();
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(path, $"line {(e.LineNumber > 0 ? e.LineNumber : csv.LineNumber)}: malformed CSV ({e.Message}).", e);
        }
    }

    private static void CheckHeader(string path, string[] header)
    {
        for (int i = 0; i < header.Length; i++)
        {
            if (header[i].Trim().Length == 0)
                throw new DataFormatException(path, $"line 1: column {i + 1} has no name; a header line naming every column is needed.");
            if (Array.IndexOf(header, header[i]) != i)
                throw new DataFormatException(path, $"line 1: two columns are named '{header[i]}'.");
        }
        if (header.All(h => double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            throw new DataFormatException(path, "line 1 holds numbers, not column names; a header line naming the columns is needed.");
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "…";
}
